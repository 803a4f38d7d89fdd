"""Excel (.xlsx) in and out for every app: a download of a list, and the rows of an uploaded sheet.

Downloads are written with openpyxl's write-only mode (rows go to a temporary file as they come, so
a list of 100,000 rows never sits in memory as cells) and streamed back from that file. Uploads are
checked against the workbook limits (`yiyang.core.limits`) by streaming their XML, then read in
read-only mode; a file that is not a workbook, or breaks a limit, is an error on the field "file".
"""

import html
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from yiyang.core import limits
from yiyang.core.errors import ApplicationError, FieldError, ValidationFailed

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HEADER_FONT = Font(bold=True)
# Characters per column at most when sizing columns from their header.
_MAX_WIDTH = 40


@dataclass(frozen=True)
class Sheet:
    """One worksheet of a download: a title, a header row and the rows below it."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    # Format every column as text, so that numbers typed later (national IDs, phone numbers) stay
    # text instead of becoming 3.50206E+17. For templates meant to be filled in.
    as_text: bool = False
    widths: Sequence[int] = field(default_factory=tuple)


def _cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """A value fit for a cell: text that would start a formula stays text; control chars dropped."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime | date | time):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith("="):
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"  # openpyxl would otherwise store a formula that Excel evaluates
        return cell
    return text


def _write_sheet(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(title=sheet.title[:31])
    for index, header in enumerate(sheet.headers):
        letter = get_column_letter(index + 1)
        width = sheet.widths[index] if index < len(sheet.widths) else min(_MAX_WIDTH, max(10, 2 * len(header) + 4))
        ws.column_dimensions[letter].width = width
        if sheet.as_text:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    header_cells = []
    for header in sheet.headers:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(header)))
        cell.font = _HEADER_FONT
        header_cells.append(cell)
    ws.append(header_cells)
    for row in sheet.rows:
        ws.append([_cell(ws, value) for value in row])


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real (e.g. Chinese) name per RFC 5987/6266."""
    stem, dot, extension = filename.rpartition(".")
    fallback_stem = _ASCII_SAFE.sub("_", stem if dot else filename).strip("_-.") or "download"
    fallback = f"{fallback_stem}.{extension}" if dot else fallback_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def workbook_response(
    *,
    filename: str,
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence[Any]],
    more_sheets: Sequence[Sheet] = (),
    as_text: bool = False,
) -> FileResponse:
    """An .xlsx download: one sheet with a bold, frozen header row and `rows` below it.

    `rows` may be a generator (it is consumed once, while writing). Cells are written as values,
    never formulas. `more_sheets` follow the first (e.g. a sheet of instructions). The response
    is not cached by browsers or proxies, since lists usually carry personal data.
    """
    wb = Workbook(write_only=True)
    _write_sheet(wb, Sheet(sheet_title, headers, rows, as_text=as_text))
    for sheet in more_sheets:
        _write_sheet(wb, sheet)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    wb.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


def _plain(value: Any) -> Any:
    """Text stripped, empty cells as "", whole-number floats as int (Excel stores 13800001111 as 1.38e10)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _Breach(Exception):
    """Raised from inside the XML scan at the first limit broken; carries the error to report."""

    def __init__(self, error: ApplicationError) -> None:
        self.error = error


def _column_index(reference: str) -> int:
    """1-based column of a cell reference like "AB12" (0 if there are no letters)."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + (ord(char) - 64)
        else:
            break
    return index


# A cell reference in an r attribute with at least two letters (column AA and beyond); rows have
# digits only. A sheet of up to 26 columns has none, so the search costs next to nothing.
_WIDE_CELL = re.compile(rb' r="([A-Z]{2,})[0-9]')


def _scan_part(archive: zipfile.ZipFile, name: str, *, cell_chars: int, rows: int, columns: int) -> None:
    """Stream one XML part of the workbook (a worksheet or the shared strings) in 64 KB chunks,
    stopping at the first text run longer than `cell_chars`, cell beyond column `columns` or more
    than `rows` rows (row elements, empty or not). Regular expressions over the raw bytes (C speed, no per-element
    Python call); memory stays at a chunk plus at most one cell's worth, whatever the part holds.

    A chunk is cut just before its last "<", so every tag and every text run lies whole in one
    piece; the remainder is carried over. A carry longer than 4 bytes per allowed character (UTF-8
    needs at most 4) is a text run over the limit without reading further.
    """
    long_text = re.compile(rb">([^<]{%d,})" % (cell_chars + 1))
    carry_limit = 4 * cell_chars + 64
    rows_seen = 0
    widest = 0

    def too_long(raw: bytes) -> None:
        text = html.unescape(raw.decode("utf-8", "replace"))
        if len(text) > cell_chars:
            reason = _("单元格内容不能超过%(limit)s个字符（以“%(start)s”开头）") % {
                "limit": cell_chars,
                "start": limits.excerpt(text[: limits.EXCERPT_CHARS]),
            }
            raise _Breach(ValidationFailed.single("file", reason, "cell_too_long"))

    def scan(piece: bytes) -> None:
        nonlocal rows_seen, widest
        for match in long_text.finditer(piece):
            too_long(match.group(1))
        rows_seen += piece.count(b"<row ") + piece.count(b"<row>")
        if rows_seen > rows:
            reason = _("数据行超过%(limit)s行，请分批导入") % {"limit": rows - 1}
            raise _Breach(ValidationFailed.single("file", reason, "too_many_rows"))
        for letters in set(_WIDE_CELL.findall(piece)):
            widest = max(widest, _column_index(letters.decode("ascii")))
        if widest > columns:
            reason = _("列数超过%(limit)s列") % {"limit": columns}
            raise _Breach(ValidationFailed.single("file", reason, "too_many_columns"))

    carry = b""
    with archive.open(name) as stream:
        while chunk := stream.read(65536):
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
            else:
                scan(data[:cut])
                carry = data[cut:]
            if len(carry) > carry_limit:
                too_long(carry[carry.find(b">") + 1 :] if b">" in carry else carry)
                raise _Breach(ValidationFailed.single("file", _("文件不是有效的Excel（.xlsx）文件"), "invalid_file"))
        scan(carry)


def check_workbook(file: IO[bytes]) -> None:
    """Refuse an upload that breaks a workbook limit, before openpyxl reads any of it.

    Checked in this order, stopping at the first breach: the file size (YIYANG_MAX_WORKBOOK_BYTES,
    413); the uncompressed size the zip declares for its parts (YIYANG_MAX_WORKBOOK_XML_BYTES, so a
    zip bomb is never inflated; reading through zipfile never yields more than declared); then the
    shared strings and the worksheets are streamed (`_scan_part`) for cells longer than
    YIYANG_MAX_WORKBOOK_CELL_CHARS, columns beyond YIYANG_MAX_WORKBOOK_COLUMNS and more than
    YIYANG_MAX_WORKBOOK_ROWS data rows. Errors name the field "file" and the limit, and quote at
    most a short excerpt of a cell. A file that is not a zip is left for openpyxl to refuse.
    """
    bound = limits.current()
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    if size > bound.workbook_bytes:
        reason = _("文件不能超过%(limit)s字节") % {"limit": bound.workbook_bytes}
        raise limits.TooLarge.single("file", reason, "file_too_large")
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        file.seek(0)
        return
    try:
        parts = archive.infolist()
        if sum(part.file_size for part in parts) > bound.workbook_xml_bytes:
            reason = _("文件解压后不能超过%(limit)s字节") % {"limit": bound.workbook_xml_bytes}
            raise ValidationFailed.single("file", reason, "uncompressed_too_large")
        for part in parts:
            name = part.filename
            if name.endswith(".xml") and (name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"):
                _scan_part(
                    archive,
                    name,
                    cell_chars=bound.workbook_cell_chars,
                    rows=bound.workbook_rows + 1,  # the header row
                    columns=bound.workbook_columns,
                )
    except _Breach as breach:
        raise breach.error from None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise ValidationFailed.single("file", _("文件不是有效的Excel（.xlsx）文件"), "invalid_file") from None
    finally:
        archive.close()
        file.seek(0)


def read_rows(file: IO[bytes], *, max_rows: int | None = None) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Read the first sheet of an uploaded .xlsx: its header row, then `(row number, {header: value})`.

    Row numbers are those Excel shows (the header is row 1). Rows with no value at all are left
    out; columns with an empty header are ignored. Values: text is stripped, empty cells are "",
    whole-number floats become int, dates stay datetime. The workbook limits are checked first
    (`check_workbook`). Raises ValidationFailed on field "file" if the file is not a readable .xlsx,
    repeats a header, or has more than `max_rows` (default YIYANG_MAX_WORKBOOK_ROWS) data rows.
    """
    check_workbook(file)
    if max_rows is None:
        max_rows = limits.limit("YIYANG_MAX_WORKBOOK_ROWS")
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise ValidationFailed.single("file", _("文件不是有效的Excel（.xlsx）文件"), "invalid_file") from None
    try:
        if not wb.worksheets:
            return [], []
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # trust the cells, not a declared (possibly huge) dimension
        lines = ws.iter_rows(values_only=True)
        first = next(lines, ())
        headers = [str(_plain(v)) for v in first]
        while headers and not headers[-1]:
            headers.pop()
        seen: set[str] = set()
        for header in headers:
            if header and header in seen:
                reason = _("表头“%(header)s”出现了不止一次") % {"header": limits.excerpt(header)}
                raise ValidationFailed(_("表头重复"), errors=[FieldError("file", reason, "duplicate_header", 1)])
            seen.add(header)
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, line in enumerate(lines, start=2):
            values = [_plain(v) for v in line]
            if not any(v != "" for v in values):
                continue
            if len(rows) >= max_rows:
                raise ValidationFailed.single(
                    "file", _("数据行超过%(limit)s行，请分批导入") % {"limit": max_rows}, "too_many_rows"
                )
            rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers) if h}))
        return headers, rows
    except (zipfile.BadZipFile, KeyError, OSError) as exc:  # a damaged part found while reading rows
        raise ValidationFailed.single("file", _("文件不是有效的Excel（.xlsx）文件"), "invalid_file") from exc
    finally:
        wb.close()
