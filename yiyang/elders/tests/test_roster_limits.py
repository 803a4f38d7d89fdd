"""Crafted workbooks against the roster import: refused early, small answers, bounded memory, nothing written."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.elders.models import Elder
from yiyang.elders.roster import HEADERS

pytestmark = pytest.mark.django_db
IMPORT_URL = "/api/v1/elders/import/"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def crafted(sheet_rows: str, shared: list[str] | None = None, huge_shared: int = 0) -> SimpleUploadedFile:
    """A .xlsx written part by part. `sheet_rows` is the <sheetData> content. The shared strings are
    `shared`, and, if `huge_shared` > 0, first one string of that many "A"s, streamed into the zip so
    the test itself never holds it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><sheetData>{sheet_rows}'
            "</sheetData></worksheet>",
        )
        strings = list(shared or [])
        count = len(strings) + (1 if huge_shared else 0)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}" count="{count}">'.encode())
            if huge_shared:
                part.write(b"<si><t>")
                chunk = b"A" * (1024 * 1024)
                for _ in range(huge_shared // len(chunk)):
                    part.write(chunk)
                part.write(b"</t></si>")
            for text in strings:
                part.write(f"<si><t>{text}</t></si>".encode())
            part.write(b"</sst>")
    return SimpleUploadedFile("花名册.xlsx", buffer.getvalue(), content_type="application/octet-stream")


def header_row(first_shared_index: int = 0) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{first_shared_index + i}</v></c>' for i in range(len(HEADERS)))
    return f'<row r="1">{cells}</row>'


def post(world, upload):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    before = (Elder.objects.count(), AuditEvent.objects.count())
    response = client.post(IMPORT_URL, {"file": upload}, format="multipart")
    assert (Elder.objects.count(), AuditEvent.objects.count()) == before
    return response


@pytest.mark.parametrize("megabytes", [300, 50])
def test_a_header_cell_of_huge_text_is_refused_small_and_in_bounded_memory(world, megabytes):
    # 300 MB: past the declared-size limit, never inflated; 50 MB: under it, stopped while streaming.
    upload = crafted(header_row(), list(HEADERS)[1:], huge_shared=megabytes * 1024 * 1024)
    assert upload.size < 1024 * 1024

    tracemalloc.start()
    try:
        response = post(world, upload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 400
    assert len(response.content) < 10 * 1024
    expected = "uncompressed_too_large" if megabytes == 300 else "cell_too_long"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", expected)]
    assert peak < 200 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_a_long_cell_is_quoted_by_a_short_excerpt_only(world, settings):
    settings.YIYANG_MAX_WORKBOOK_CELL_CHARS = 100
    response = post(world, crafted(header_row(), ["姓" * 5000, *list(HEADERS)[1:]]))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("file", "cell_too_long")
    assert "100" in error["reason"] and "姓" * 50 in error["reason"] and "姓" * 51 not in error["reason"]


def test_an_inline_string_in_the_sheet_is_bounded_too(world, settings):
    settings.YIYANG_MAX_WORKBOOK_CELL_CHARS = 100
    row = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"x" * 500}</t></is></c></row>'
    response = post(world, crafted(header_row() + row, list(HEADERS)))
    assert response.json()["errors"][0]["code"] == "cell_too_long"


def test_too_many_rows_stop_the_scan(world, settings):
    settings.YIYANG_MAX_WORKBOOK_ROWS = 3
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>王{n}</t></is></c></row>' for n in range(2, 7))
    response = post(world, crafted(header_row() + rows, list(HEADERS)))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("file", "too_many_rows") and "3" in error["reason"]


def test_a_cell_far_to_the_right_is_too_many_columns(world):
    row = '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    response = post(world, crafted(header_row() + row, list(HEADERS)))
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "too_many_columns")]


def test_a_zip_bomb_sheet_is_refused_by_its_declared_size(world, settings):
    settings.YIYANG_MAX_WORKBOOK_XML_BYTES = 1024 * 1024
    empty_rows = "<row/>" * 400_000  # 2.4 MB inflated, a few KB compressed
    upload = crafted(header_row() + empty_rows, list(HEADERS))
    assert upload.size < 100 * 1024
    response = post(world, upload)
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "uncompressed_too_large")]


def test_a_file_over_the_workbook_size_is_a_413_on_file(world, settings):
    settings.YIYANG_MAX_WORKBOOK_BYTES = 10_000
    upload = SimpleUploadedFile("a.xlsx", b"PK" + b"\0" * 20_000, content_type="application/octet-stream")
    response = post(world, upload)
    assert response.status_code == 413
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "file_too_large")]


def test_the_import_page_lists_the_breach_with_a_short_excerpt_only(world):
    from django.test import Client

    client = Client()
    client.force_login(world.users["street0"])
    upload = crafted(header_row(), list(HEADERS)[1:], huge_shared=5 * 1024 * 1024)
    before = Elder.objects.count()
    response = client.post("/elders/import/", {"file": upload})
    text = response.content.decode()
    assert response.status_code == 200
    assert "1000" in text and "A" * 50 in text and "A" * 51 not in text
    assert len(response.content) < 100 * 1024
    assert Elder.objects.count() == before
