"""The family's PDF report: a real PDF, Chinese in the built-in CID font, the national ID masked."""

from datetime import date

import pytest

from yiyang.assessments.report import assessment_report_pdf
from yiyang.assessments.services import assessment_report_export
from yiyang.assessments.tests.support import LTC, confirmed, gbt_answers, ltc_answers, page_client, submitted
from yiyang.audit.models import AuditEvent
from yiyang.core.masking import mask_national_id

pytestmark = pytest.mark.django_db


def pdf_literal(text: str) -> bytes:
    """How reportlab writes `text` in the CID font inside an uncompressed content stream: UTF-16-BE
    bytes, printable ones as themselves (with ( ) \\ escaped) and the rest as octal escapes."""
    out = bytearray()
    for byte in text.encode("utf-16-be"):
        if 32 <= byte < 127 and chr(byte) not in "()\\":
            out.append(byte)
        elif chr(byte) in "()\\":
            out += b"\\" + bytes([byte])
        else:
            out += f"\\{byte:03o}".encode()
    return bytes(out)


def forms_of(text: str) -> list[bytes]:
    return [text.encode(), text.encode("utf-16-be"), pdf_literal(text)]


def test_report_contains_the_masked_id_and_never_the_full_one(world):
    # given
    elder = world.elders["elder0"]
    record = confirmed(world, answers=gbt_answers(2, diagnoses=["F03"]))
    # when
    plain = assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False)
    packed = assessment_report_pdf(record, generated_on=date(2026, 1, 1))
    # then
    assert plain.startswith(b"%PDF") and packed.startswith(b"%PDF")
    assert b"STSong-Light" in plain
    for content in (plain, packed):
        for form in forms_of(elder.national_id):
            assert form not in content
    assert pdf_literal(mask_national_id(elder.national_id)) in plain
    assert pdf_literal(elder.name) in plain
    assert pdf_literal(record.level_name) in plain
    assert pdf_literal("medical0") in plain  # the reviewer
    assert pdf_literal("C4 第2条") in plain  # the rule that changed the level, from the explanation


def test_an_unverified_result_says_so_in_the_report(world):
    record = confirmed(world, scale=LTC, answers=ltc_answers(2))
    plain = assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False)
    assert pdf_literal("尚未核实的依据") in plain
    assert pdf_literal(record.result["unverified"][0][:10]) in plain


def test_a_report_before_confirmation_is_marked_as_such(world):
    record = submitted(world)
    plain = assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False)
    assert pdf_literal("尚未确认") in plain


def test_every_export_is_audited(world):
    record = confirmed(world)
    content = assessment_report_export(actor=world.users["street0"], assessment=record)
    assert content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.entity_id, event.fields) == (world.users["street0"], str(record.public_id), ["result"])


def test_the_page_serves_the_pdf_inline(world):
    record = confirmed(world)
    response = page_client(world.users["family0"]).get(f"/assessments/{record.public_id}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="assessment-')
    assert world.elders["elder0"].national_id.encode() not in response.content


def test_the_report_follows_the_readers_language_and_keeps_the_data(world):
    from django.utils import translation

    record = confirmed(world, elder="resident0", assessor="institution0", scale=LTC, answers=ltc_answers(3))
    with translation.override("en"):
        plain = assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False)
    for english in ("Ability assessment report", "Basic information", "Severe disability, grade I (3)"):
        assert pdf_literal(english) in plain, english
    assert pdf_literal("Unverified values") in plain
    assert pdf_literal("Activities of daily living: 10 items") in plain  # the explanation, re-scored
    assert pdf_literal(world.elders["resident0"].name) in plain  # data stays as entered
    for chinese in ("老年人能力评估报告", "基本信息", "重度失能Ⅰ级", "尚未核实的依据", "日常生活活动能力"):
        assert pdf_literal(chinese) not in plain, chinese
