"""Submitting: only the record's qualified assessor; the server computes and stores the result."""

from datetime import date

import pytest
from django.utils import timezone

from yiyang.assessments.record_settings import add_months
from yiyang.assessments.services import assessment_submit
from yiyang.assessments.tests.support import (
    LTC,
    draft,
    field_codes,
    gbt_answers,
    ltc_answers,
    partial,
    snapshot,
)
from yiyang.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_submit_computes_and_stores_the_result_with_its_explanation(world):
    # given
    record = draft(world, answers=gbt_answers(1, diagnoses=["F03"]), assessed_on=date(2025, 3, 31))
    # when
    result = assessment_submit(actor=world.users["street0"], assessment=record)
    # then
    assert result.status == "submitted"
    assert result.submitted_at is not None
    assert (result.total, result.level, result.level_code) == (78, 2, "2")
    assert result.level_name == "能力中度受损（中度失能）"
    assert result.result["total"] == 78
    assert result.result["preliminary_level"] == 1
    assert result.result["rules_applied"] == ["mental_disorder"]
    assert [step["kind"] for step in result.result["explanation"]][:2] == ["sum", "band"]
    assert result.verified is True
    assert result.scoring_settings == {"stack_level_rules": True}
    assert result.policy is None
    # validity: 12 months (local policy setting) ending the day before
    assert result.valid_until == date(2026, 3, 30)


def test_missing_items_are_each_named_and_nothing_changes(world):
    record = draft(world, answers=partial(gbt_answers(1), "B.1.1", "B.4.5", "risk_events_30d"))
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        assessment_submit(actor=world.users["street0"], assessment=record)
    assert field_codes(caught.value) == {
        ("answers.B.1.1", "missing_item"),
        ("answers.B.4.5", "missing_item"),
        ("answers.risk_events_30d", "missing_fact"),
    }
    assert snapshot() == before


def test_only_a_qualified_assessor_can_submit(world):
    # given: the qualification was withdrawn after the draft was started
    record = draft(world)
    assessor = world.users["street0"]
    assessor.is_assessor = False
    assessor.save(update_fields=["is_assessor"])
    before = snapshot()
    # when / then
    with pytest.raises(Forbidden):
        assessment_submit(actor=assessor, assessment=record)
    assert snapshot() == before


def test_only_the_records_own_assessor_submits(world):
    record = draft(world)
    before = snapshot()
    with pytest.raises(Forbidden):
        assessment_submit(actor=world.users["medical0"], assessment=record)
    with pytest.raises(Forbidden):
        assessment_submit(actor=world.users["centre0"], assessment=record)
    with pytest.raises(NotFound):
        assessment_submit(actor=world.users["street1"], assessment=record)
    assert snapshot() == before


def test_a_submitted_record_is_not_submitted_twice(world):
    record = draft(world)
    assessment_submit(actor=world.users["street0"], assessment=record)
    with pytest.raises(ValidationFailed) as caught:
        assessment_submit(actor=world.users["street0"], assessment=record)
    assert field_codes(caught.value) == {("status", "invalid_status")}


def test_the_ltc_grade_is_marked_unverified_with_each_value_named(world):
    record = draft(world, scale=LTC, answers=ltc_answers(4))
    result = assessment_submit(actor=world.users["street0"], assessment=record)
    assert (result.level, result.level_name, result.total) == (4, "重度失能Ⅱ级", None)
    assert result.verified is False
    unverified = result.result["unverified"]
    for part in ("日常生活活动能力分级", "认知能力分级", "感知觉与沟通能力分级", "组合表"):
        assert any(sentence.startswith(part) for sentence in unverified), part
    assert result.result["group_totals"] == {"C1": 20, "C2": 8, "C3": 10}


def test_validity_follows_the_month_and_clamps_month_ends():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_the_result_cannot_be_supplied_by_the_caller(world):
    record = draft(world, answers=gbt_answers(0))
    record.result = {"level": 4}  # a tampered in-memory object is ignored: the service re-reads the row
    result = assessment_submit(actor=world.users["street0"], assessment=record)
    assert result.level == 0
    assert result.result["level"] == 0
    assert timezone.localdate() <= result.valid_until
