"""The generic Excel helpers the roster is built on (yiyang.core.excel)."""

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from yiyang.core.errors import ValidationFailed
from yiyang.core.excel import content_disposition, read_rows, workbook_response


def upload(*rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("x.xlsx", buffer.getvalue())


def test_read_rows_numbers_rows_as_excel_shows_them_and_skips_empty_ones():
    # given: row 3 is empty, row 4 has values; a blank trailing header column is ignored
    file = upload(["姓名", " 电话 ", None], ["王", 13800001111.0, "x"], [None, None], ["李", " 0592-1234567 "])
    # when
    headers, rows = read_rows(file)
    # then
    assert headers == ["姓名", "电话"]
    assert rows == [(2, {"姓名": "王", "电话": 13800001111}), (4, {"姓名": "李", "电话": "0592-1234567"})]


def test_read_rows_keeps_dates_and_fills_short_rows():
    _, rows = read_rows(upload(["a", "b"], [datetime(1950, 3, 15)]))
    assert rows == [(2, {"a": datetime(1950, 3, 15), "b": ""})]


@pytest.mark.parametrize("content", [b"", b"plain text", b"PK\x03\x04broken zip"])
def test_read_rows_refuses_what_is_not_an_xlsx_on_field_file(content):
    with pytest.raises(ValidationFailed) as caught:
        read_rows(SimpleUploadedFile("x.xlsx", content))
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", "invalid_file")]


def test_read_rows_refuses_repeated_headers_and_too_many_rows():
    with pytest.raises(ValidationFailed) as repeated:
        read_rows(upload(["姓名", "姓名"], ["a", "b"]))
    with pytest.raises(ValidationFailed) as too_many:
        read_rows(upload(["姓名"], ["a"], ["b"], ["c"]), max_rows=2)
    assert [(e.row, e.field, e.code) for e in repeated.value.errors] == [(1, "file", "duplicate_header")]
    assert [(e.field, e.code) for e in too_many.value.errors] == [("file", "too_many_rows")]


def test_workbook_response_writes_values_never_formulas():
    # given: a cell that would be a formula, and a control character openpyxl cannot store
    response = workbook_response(
        filename="名单.xlsx", sheet_title="名单", headers=["名称", "数"], rows=iter([["=1+1", 3], ["a\x07b", None]])
    )
    # when
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    # then
    ws = wb.worksheets[0]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["名称", "数"], ["=1+1", 3], ["ab", None]]
    assert ws["A2"].data_type == "s"
    assert ws["A1"].font.bold is True
    assert response["Cache-Control"] == "no-store"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert content_disposition("老年人名单-20250101.xlsx") == (
        'attachment; filename="20250101.xlsx"; '
        "filename*=UTF-8''%E8%80%81%E5%B9%B4%E4%BA%BA%E5%90%8D%E5%8D%95-20250101.xlsx"
    )
    assert content_disposition("elders.xlsx") == "attachment; filename=\"elders.xlsx\"; filename*=UTF-8''elders.xlsx"
