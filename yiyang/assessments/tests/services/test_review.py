"""Confirming and returning: only a reviewer of the same jurisdiction who is not the assessor."""

import pytest

from yiyang.assessments.services import (
    assessment_confirm,
    assessment_draft_update,
    assessment_return,
    assessment_submit,
)
from yiyang.assessments.tests.support import confirmed, draft, field_codes, grant, snapshot, submitted
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_reviewer_of_the_same_jurisdiction_confirms(world):
    record = submitted(world)
    result = assessment_confirm(actor=world.users["medical0"], assessment=record)
    assert result.status == "confirmed"
    assert result.reviewer == world.users["medical0"]
    assert result.confirmed_at is not None
    event = AuditEvent.objects.filter(summary="确认能力评估结果").get()
    assert event.entity_id == str(record.public_id)


def test_the_district_health_officer_may_confirm_too(world):
    record = submitted(world)
    assert assessment_confirm(actor=world.users["health_officer"], assessment=record).status == "confirmed"


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("medical1", NotFound),  # a reviewer of the other street
        ("street0", Forbidden),  # same street, without assessments.review (and the assessor)
        ("street0_readonly", NotFound),  # same street, cannot even see assessments
    ],
)
def test_others_cannot_confirm(world, username, error):
    record = submitted(world)
    before = snapshot()
    with pytest.raises(error):
        assessment_confirm(actor=world.users[username], assessment=record)
    assert snapshot() == before


def test_the_assessor_cannot_confirm_their_own_assessment(world):
    # given: medical0 is both a qualified assessor and a reviewer
    record = submitted(world, assessor="medical0")
    before = snapshot()
    # when / then
    with pytest.raises(Forbidden):
        assessment_confirm(actor=world.users["medical0"], assessment=record)
    with pytest.raises(Forbidden):
        assessment_return(actor=world.users["medical0"], assessment=record, reason="自己退回")
    assert snapshot() == before


def test_a_reviewer_granted_review_rights_in_another_street_still_reaches_nothing(world):
    grant(world.users["street1"], "assessments.review")
    record = submitted(world)
    with pytest.raises(NotFound):
        assessment_confirm(actor=world.users["street1"], assessment=record)


def test_a_draft_cannot_be_confirmed_and_a_confirmed_record_not_again(world):
    record = draft(world)
    with pytest.raises(ValidationFailed) as caught:
        assessment_confirm(actor=world.users["medical0"], assessment=record)
    assert field_codes(caught.value) == {("status", "invalid_status")}
    done = confirmed(world, elder="resident0")
    before = snapshot()
    with pytest.raises(ValidationFailed):
        assessment_confirm(actor=world.users["health_officer"], assessment=done)
    with pytest.raises(ValidationFailed):
        assessment_return(actor=world.users["health_officer"], assessment=done, reason="晚了")
    assert snapshot() == before


def test_returned_with_a_reason_the_assessor_reworks_and_resubmits(world):
    # given
    record = submitted(world)
    # when
    returned = assessment_return(actor=world.users["medical0"], assessment=record, reason="B.2.3 与现场不符")
    # then
    assert returned.status == "returned"
    assert returned.returned_reason == "B.2.3 与现场不符"
    assert returned.reviewer == world.users["medical0"]
    # the assessor changes an answer: back to draft, then submits again
    answers = dict(returned.answers)
    answers["B.2.3"] = 1
    reworked = assessment_draft_update(actor=world.users["street0"], assessment=returned, changes={"answers": answers})
    assert reworked.status == "draft"
    resubmitted = assessment_submit(actor=world.users["street0"], assessment=reworked)
    assert resubmitted.status == "submitted"
    assert resubmitted.reviewer is None
    assert resubmitted.total == 75
    assert assessment_confirm(actor=world.users["medical0"], assessment=resubmitted).status == "confirmed"


def test_a_returned_record_may_be_resubmitted_unchanged(world):
    record = submitted(world)
    returned = assessment_return(actor=world.users["medical0"], assessment=record, reason="请补签字")
    assert assessment_submit(actor=world.users["street0"], assessment=returned).status == "submitted"


def test_return_needs_a_reason(world):
    record = submitted(world)
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        assessment_return(actor=world.users["medical0"], assessment=record, reason="  ")
    assert field_codes(caught.value) == {("reason", "required")}
    assert snapshot() == before
