"""HTTP answers carrying a payroll run's files, shared by the pages and the API."""

from django.http import FileResponse, HttpResponse

from yiyang.benefits.services.payroll_exports import PaymentFile, PayrollWorkbook
from yiyang.core.excel import content_disposition, workbook_response

CSV_CONTENT_TYPE = "text/csv"


def workbook_download(book: PayrollWorkbook) -> FileResponse:
    return workbook_response(
        filename=book.filename,
        sheet_title=book.summary_title,
        headers=book.summary_headers,
        rows=book.summary_rows,
        more_sheets=book.sheets,
    )


def payment_file_download(payment: PaymentFile) -> HttpResponse:
    response = HttpResponse(payment.content, content_type=f"{CSV_CONTENT_TYPE}; charset=utf-8")
    response["Content-Disposition"] = content_disposition(payment.filename)
    response["Cache-Control"] = "no-store"
    return response
