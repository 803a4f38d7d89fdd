"""The explanation of a result: stored in Chinese whatever language the assessor uses, shown in English
by re-scoring the stored answers exactly as they were scored, never by rewriting the record."""

import random
import re

import pytest
from django.utils import translation

from yiyang.assessments.presentation import EXPLAINED_IN_ENGLISH, explanation_shown
from yiyang.assessments.scales import InvalidAnswers, get_scale, score
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


@pytest.mark.parametrize("code", sorted(EXPLAINED_IN_ENGLISH))
def test_every_explanation_of_a_scale_explained_in_english_is_english(code: str) -> None:
    """Random complete answers (every option, facts and settings either way): in English, no step and
    no unverified sentence keeps a Chinese character; in Chinese the level is the same."""
    scale = get_scale(code)
    rng = random.Random(code)
    for _ in range(150):
        answers: dict[str, object] = {}
        for item in scale.items:
            option = rng.choice(item.options)
            answers[item.code] = option.code or option.score
        for fact in scale.facts:
            if fact.type == "bool":
                answers[fact.code] = rng.random() < 0.5
            elif fact.type == "icd10_list":
                answers[fact.code] = rng.choice([[], ["F03"], ["F20"], ["I10"], ["F03", "F20"]])
            else:
                answers[fact.code] = rng.choice([0, 1, 2, 3])
        settings = {setting.code: rng.random() < 0.5 for setting in scale.settings} or None
        try:
            with translation.override("en"):
                english = score(code, answers, settings=settings)
        except InvalidAnswers:
            continue
        texts = [step.text for step in english.explanation] + english.unverified
        assert not [text for text in texts if CJK.search(text)], texts
        with translation.override("zh-hans"):
            assert score(code, answers, settings=settings).level == english.level
