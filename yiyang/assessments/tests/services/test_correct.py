"""Confirmed records are never edited; a correction is a new record that supersedes the old one."""

import pytest

from yiyang.assessments.models import Assessment
from yiyang.assessments.selectors import elder_current_levels
from yiyang.assessments.services import (
    assessment_confirm,
    assessment_correct,
    assessment_draft_update,
    assessment_submit,
)
from yiyang.assessments.tests.support import confirmed, draft, field_codes, gbt_answers, snapshot
from yiyang.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_confirmed_record_is_never_edited(world):
    record = confirmed(world)
    frozen = Assessment.objects.values().get(pk=record.pk)
    before = snapshot()
    for changes in ({"answers": gbt_answers(3)}, {"note": "改"}, {"assessed_on": record.assessed_on}):
        with pytest.raises(ValidationFailed) as caught:
            assessment_draft_update(actor=world.users["street0"], assessment=record, changes=changes)
        assert field_codes(caught.value) == {("status", "invalid_status")}
    with pytest.raises(ValidationFailed):
        assessment_submit(actor=world.users["street0"], assessment=record)
    assert Assessment.objects.values().get(pk=record.pk) == frozen
    assert snapshot() == before


def test_a_correction_is_a_new_draft_that_supersedes_and_replaces_once_confirmed(world):
    # given
    original = confirmed(world, answers=gbt_answers(1))
    frozen = Assessment.objects.values().get(pk=original.pk)
    # when
    correction = assessment_correct(actor=world.users["street0"], assessment=original, note="B.1.1 录入错误")
    # then: a new draft copying the answers, the original untouched and still current
    assert correction.pk != original.pk
    assert (correction.status, correction.supersedes_id, correction.note) == ("draft", original.pk, "B.1.1 录入错误")
    assert correction.answers == original.answers
    assert correction.assessed_on == original.assessed_on
    assert elder_current_levels(elder=world.elders["elder0"]).ability.current == original
    # when the correction is confirmed
    assessment_draft_update(actor=world.users["street0"], assessment=correction, changes={"answers": gbt_answers(3)})
    assessment_submit(actor=world.users["street0"], assessment=correction)
    assessment_confirm(actor=world.users["medical0"], assessment=correction)
    # then it is the current level and the original is history, unchanged
    levels = elder_current_levels(elder=world.elders["elder0"])
    assert levels.ability.current.pk == correction.pk
    assert levels.ability.current.level == 3
    assert [a.pk for a in levels.ability.history] == [correction.pk, original.pk]
    assert Assessment.objects.values().get(pk=original.pk) == frozen


def test_only_confirmed_records_are_corrected_and_only_once(world):
    open_draft = draft(world)
    with pytest.raises(ValidationFailed) as caught:
        assessment_correct(actor=world.users["street0"], assessment=open_draft, note="x")
    assert field_codes(caught.value) == {("status", "invalid_status")}
    original = confirmed(world, elder="resident0")
    assessment_correct(actor=world.users["street0"], assessment=original, note="第一次")
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        assessment_correct(actor=world.users["institution0"], assessment=original, note="第二次")
    assert field_codes(caught.value) == {("supersedes", "already_superseded")}
    assert snapshot() == before


def test_a_correction_needs_a_reason_and_a_qualified_assessor_in_reach(world):
    original = confirmed(world)
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        assessment_correct(actor=world.users["street0"], assessment=original, note=" ")
    assert field_codes(caught.value) == {("note", "required")}
    with pytest.raises(Forbidden):
        assessment_correct(actor=world.users["centre0"], assessment=original, note="x")
    with pytest.raises(NotFound):
        assessment_correct(actor=world.users["street1"], assessment=original, note="x")
    assert snapshot() == before
