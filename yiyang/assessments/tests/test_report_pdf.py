"""The family's PDF report: a real PDF, its Chinese font embedded, the national ID masked, the
assessor and reviewer named as people as they were when they signed."""

from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from reportlab.pdfbase import pdfmetrics

from yiyang.assessments import report
from yiyang.assessments.report import ReportFontMissing, assessment_report_pdf
from yiyang.assessments.services import assessment_report_export
from yiyang.assessments.tests.support import LTC, confirmed, gbt_answers, ltc_answers, page_client, submitted
from yiyang.audit.models import AuditEvent
from yiyang.core.masking import mask_national_id
from yiyang.core.pdf_text import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def forms_of(text: str) -> list[bytes]:
    return [text.encode(), text.encode("utf-16-be")]


def test_report_contains_the_masked_id_and_never_the_full_one(world):
    # given
    elder = world.elders["elder0"]
    record = confirmed(world, answers=gbt_answers(2, diagnoses=["F03"]))
    # when
    plain = assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False)
    packed = assessment_report_pdf(record, generated_on=date(2026, 1, 1))
    # then
    assert plain.startswith(b"%PDF") and packed.startswith(b"%PDF")
    text = pdf_text(plain)
    for content in (plain, packed):
        for form in forms_of(elder.national_id):
            assert form not in content
    assert elder.national_id not in text
    assert mask_national_id(elder.national_id) in text
    assert elder.name in text
    assert record.level_name in text
    assert "C4 第2条" in text  # the rule that changed the level, from the explanation


def test_every_font_of_the_report_is_embedded(world):
    # Defect: the report drew Chinese with the CID font STSong-Light, which is never embedded, so a
    # reader without that font showed blanks or boxes.
    record = confirmed(world)
    plain = assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False)
    fonts = pdf_fonts(plain)
    assert fonts.not_embedded == []
    assert fonts.embedded and all("WenQuanYi" in name for name in fonts.embedded)
    assert b"/FontFile2" in plain
    assert b"STSong" not in plain


def test_the_report_names_assessor_and_reviewer_as_people(world):
    # Defect: the report showed the accounts' usernames ("medical0"), not who signed.
    assessor, reviewer = world.users["street0"], world.users["medical0"]
    assessor.full_name, assessor.qualification_number = "张丽", "350203-2024-017"
    assessor.save()
    reviewer.full_name, reviewer.qualification_number = "王建国", "110105198"
    reviewer.save()
    record = confirmed(world)
    text = pdf_text(assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False))
    assert f"张丽（证书编号 350203-2024-017） · {assessor.area.name}" in text
    assert f"王建国（证书编号 110105198） · {reviewer.organisation.name}" in text


def test_a_later_rename_does_not_change_a_signed_report(world):
    record = confirmed(world)
    reviewer = world.users["medical0"]
    reviewer.full_name, reviewer.qualification_number = "李新名", "NEW-1"
    reviewer.save()
    record.refresh_from_db()
    text = pdf_text(assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False))
    assert "李新名" not in text and "NEW-1" not in text
    assert record.reviewer_snapshot["name"] in text


@pytest.fixture
def unregistered_font():
    registered = pdfmetrics._fonts.pop(report.FONT, None)
    yield
    pdfmetrics._fonts.pop(report.FONT, None)
    if registered is not None:
        pdfmetrics._fonts[report.FONT] = registered


def test_a_missing_font_is_a_clear_error(world, unregistered_font, tmp_path: Path):
    record = confirmed(world)
    with (
        override_settings(YIYANG_PDF_FONT=str(tmp_path / "none.ttf")),
        pytest.raises(ReportFontMissing, match="YIYANG_PDF_FONT"),
    ):
        assessment_report_pdf(record, generated_on=date(2026, 1, 1))


def test_a_font_reportlab_cannot_embed_is_a_clear_error(world, unregistered_font, tmp_path: Path):
    record = confirmed(world)
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with override_settings(YIYANG_PDF_FONT=str(bogus)), pytest.raises(ReportFontMissing, match="cannot be embedded"):
        assessment_report_pdf(record, generated_on=date(2026, 1, 1))


def test_an_unverified_result_says_so_in_the_report(world):
    record = confirmed(world, scale=LTC, answers=ltc_answers(2))
    text = pdf_text(assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False))
    assert "尚未核实的依据" in text
    assert record.result["unverified"][0][:10] in text


def test_a_report_before_confirmation_is_marked_as_such(world):
    record = submitted(world)
    text = pdf_text(assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False))
    assert "尚未确认" in text


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
        text = pdf_text(assessment_report_pdf(record, generated_on=date(2026, 1, 1), compress=False))
    for english in ("Ability assessment report", "Basic information", "Severe disability, grade I (3)"):
        assert english in text, english
    assert "Unverified values" in text
    assert "Activities of daily living: 10 items" in text  # the explanation, re-scored
    assert world.elders["resident0"].name in text  # data stays as entered
    for chinese in ("老年人能力评估报告", "基本信息", "重度失能Ⅰ级", "尚未核实的依据", "日常生活活动能力"):
        assert chinese not in text, chinese
