"""The explanation of a result: stored in Chinese whatever language the assessor uses, shown in English
by re-scoring the stored answers exactly as they were scored, never by rewriting the record."""

import re

import pytest
from django.utils import translation

from yiyang.assessments.presentation import explanation_shown
from yiyang.assessments.tests.support import LTC, confirmed, ltc_answers

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff]")


def test_a_result_submitted_in_english_is_stored_in_chinese(world):
    with translation.override("en"):
        record = confirmed(world, elder="resident0", assessor="institution0", scale=LTC, answers=ltc_answers(3))
    record.refresh_from_db()
    assert record.level_name == "重度失能Ⅰ级"
    assert record.result["explanation"][0]["text"] == "日常生活活动能力 10 项合计 20 分（满分 100 分）"
    assert all(CJK.search(step["text"]) for step in record.result["explanation"])


def test_the_explanation_is_shown_in_english_without_changing_the_record(world):
    record = confirmed(world, elder="resident0", assessor="institution0", scale=LTC, answers=ltc_answers(3))
    stored = dict(record.result)
    with translation.override("en"):
        shown = explanation_shown(record)
    assert shown is not None and shown.stored is False
    assert shown.steps[0]["text"] == "Activities of daily living: 10 items, 20 points in total (maximum 100)"
    assert shown.steps[-1]["text"].endswith("→ Severe disability, grade I (3)")
    assert [step["kind"] for step in shown.steps] == [step["kind"] for step in stored["explanation"]]
    assert not any(CJK.search(text) for text in [s["text"] for s in shown.steps] + shown.unverified)
    assert len(shown.unverified) == len(stored["unverified"])
    record.refresh_from_db()
    assert record.result == stored
    with translation.override("zh-hans"):
        chinese = explanation_shown(record)
    assert chinese is not None and chinese.stored is True
    assert chinese.steps == stored["explanation"]


def test_a_record_scored_with_other_scale_data_shows_its_stored_explanation(world):
    record = confirmed(world, elder="resident0", assessor="institution0", scale=LTC, answers=ltc_answers(3))
    record.scale_version = "v1:0000000000000000"
    with translation.override("en"):
        shown = explanation_shown(record)
    assert shown is not None and shown.stored is True
    assert shown.steps == record.result["explanation"]
