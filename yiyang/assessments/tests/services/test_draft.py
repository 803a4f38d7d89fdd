"""Drafts: who may start and change them, what is checked, and that nothing is written on refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yiyang.assessments.models import Assessment
from yiyang.assessments.services import assessment_draft_create, assessment_draft_update
from yiyang.assessments.tests.support import GBT, draft, field_codes, gbt_answers, partial, snapshot, submitted
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_qualified_assessor_starts_a_partial_draft_and_it_is_audited(world):
    # given
    answers = partial(gbt_answers(1), "B.4.5", "B.4.4")
    # when
    record = draft(world, answers=answers)
    # then
    assert record.status == "draft"
    assert record.assessor == world.users["street0"]
    assert record.family == "ability"
    assert record.answers == answers
    assert record.result is None and record.level is None
    assert record.scale_version.startswith("v1:")
    event = AuditEvent.objects.get(entity_type="assessment")
    assert (event.action, event.entity_id, event.district_id) == ("create", str(record.public_id), world.district.pk)
    assert "answers" in event.fields
    assert "B.1.1" not in event.summary


def test_every_bad_field_is_listed_at_once_and_nothing_is_written(world):
    before = snapshot()
    answers = {"B.1.1": 9, "X.9": 1, "diagnoses": ["not-icd"]}
    with pytest.raises(ValidationFailed) as caught:
        assessment_draft_create(
            actor=world.users["street0"],
            elder=world.elders["elder0"],
            scale=GBT,
            reason="whim",
            assessed_on=timezone.localdate() + timedelta(days=1),
            answers=answers,
        )
    assert field_codes(caught.value) == {
        ("reason", "invalid_choice"),
        ("assessed_on", "future_date"),
        ("answers.B.1.1", "invalid_score"),
        ("answers.X.9", "unknown_item"),
        ("answers.diagnoses", "invalid_fact"),
    }
    assert snapshot() == before


def test_an_unknown_scale_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        draft(world, scale="adl-99", answers={})
    assert field_codes(caught.value) == {("scale", "unknown_scale")}
    assert Assessment.objects.count() == 0


def test_a_date_before_birth_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        draft(world, assessed_on=world.elders["elder0"].birth_date - timedelta(days=1))
    assert field_codes(caught.value) == {("assessed_on", "before_birth")}


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("centre0", Forbidden),  # holds assessments.create but not the assessor qualification
        ("street0_readonly", Forbidden),  # sees the elder, no assessments.create
        ("street1", NotFound),  # qualified, but the elder is in another street
        ("family0", Forbidden),  # sees the elder (linked), may not assess
    ],
)
def test_only_a_qualified_assessor_with_the_elder_in_reach_may_start(world, username, error):
    before = snapshot()
    with pytest.raises(error):
        draft(world, assessor=username)
    assert snapshot() == before


def test_the_assessor_changes_the_draft_and_only_changed_field_names_are_audited(world):
    record = draft(world, answers=partial(gbt_answers(1), "B.4.5"))
    updated = assessment_draft_update(
        actor=world.users["street0"], assessment=record, changes={"answers": gbt_answers(2), "note": "复核"}
    )
    assert updated.answers == gbt_answers(2)
    assert updated.note == "复核"
    event = AuditEvent.objects.filter(action="change").get()
    assert event.fields == ["answers", "note"]
    assert "复核" not in event.summary


def test_an_update_that_changes_nothing_writes_nothing(world):
    record = draft(world)
    before = snapshot()
    assessment_draft_update(actor=world.users["street0"], assessment=record, changes={"note": ""})
    assert snapshot() == before


def test_unknown_fields_and_the_result_cannot_be_sent(world):
    record = draft(world)
    with pytest.raises(ValidationFailed) as caught:
        assessment_draft_update(
            actor=world.users["street0"], assessment=record, changes={"result": {"level": 0}, "level": 0}
        )
    assert field_codes(caught.value) == {("result", "unknown_field"), ("level", "unknown_field")}
    record.refresh_from_db()
    assert record.result is None


def test_another_assessor_may_not_change_someones_draft(world):
    record = draft(world)
    before = snapshot()
    with pytest.raises(Forbidden):
        assessment_draft_update(actor=world.users["medical0"], assessment=record, changes={"note": "x"})
    with pytest.raises(NotFound):
        assessment_draft_update(actor=world.users["street1"], assessment=record, changes={"note": "x"})
    assert snapshot() == before


def test_a_submitted_record_cannot_be_changed(world):
    record = submitted(world)
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        assessment_draft_update(actor=world.users["street0"], assessment=record, changes={"note": "x"})
    assert field_codes(caught.value) == {("status", "invalid_status")}
    assert snapshot() == before
