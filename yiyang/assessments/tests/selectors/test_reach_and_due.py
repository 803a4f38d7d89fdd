"""Who sees which records, and what the due list holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yiyang.assessments.selectors import AssessmentFilters, assessment_list, assessments_due, assessments_in_reach
from yiyang.assessments.services import assessment_correct, assessment_return
from yiyang.assessments.tests.support import confirmed, days_ago, draft, gbt_answers, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    """elder0: a draft, a submitted, a confirmed record; elder1 (street 1): a confirmed record."""
    return {
        "draft": draft(world),
        "submitted": submitted(world),
        "confirmed": confirmed(world),
        "street1": confirmed(world, assessor="street1", elder="elder1", reviewer="medical1"),
    }


def ids(qs):
    return {a.pk for a in qs}


def test_staff_see_every_status_in_their_street_only(world, records):
    expected = {records[k].pk for k in ("draft", "submitted", "confirmed")}
    assert ids(assessments_in_reach(user=world.users["street0"])) == expected
    assert ids(assessments_in_reach(user=world.users["street1"])) == {records["street1"].pk}


def test_family_see_confirmed_results_of_their_own_elder_only(world, records):
    assert ids(assessments_in_reach(user=world.users["family0"])) == {records["confirmed"].pk}
    assert ids(assessments_in_reach(user=world.users["family1"])) == {records["street1"].pk}


def test_helpers_see_their_elders_records(world, records):
    expected = {records[k].pk for k in ("draft", "submitted", "confirmed")}
    assert ids(assessments_in_reach(user=world.users["helper0"])) == expected


def test_without_assessments_view_nothing_is_seen(world, records):
    assert ids(assessments_in_reach(user=world.users["street0_readonly"])) == set()
    assert ids(assessments_in_reach(user=world.users["street0_noright"])) == set()


def test_the_district_sees_both_streets(world, records):
    assert len(ids(assessments_in_reach(user=world.users["health_officer"]))) == 4


def test_list_filters(world, records):
    user = world.users["street0"]
    assert ids(assessment_list(user=user, filters=AssessmentFilters(status="draft"))) == {records["draft"].pk}
    assert ids(assessment_list(user=user, filters=AssessmentFilters(scale="ltc-2021"))) == set()
    elder = world.elders["elder0"].public_id
    assert len(ids(assessment_list(user=user, filters=AssessmentFilters(elder=elder)))) == 3


def test_due_lists_lapsing_lapsed_and_returned_records(world):
    today = timezone.localdate()
    fresh = confirmed(world, answers=gbt_answers(0), assessed_on=days_ago(10))
    lapsing = confirmed(world, elder="resident0", assessed_on=today - timedelta(days=350))
    lapsed = confirmed(world, assessor="medical0", reviewer="health_officer", elder="elder0", assessed_on=days_ago(500))
    returned = assessment_return(actor=world.users["medical0"], assessment=submitted(world), reason="补充")
    due = list(assessments_due(user=world.users["street0"], today=today))
    # fresh is current and far from lapsing; the lapsed one of elder0 is replaced by `fresh`
    assert [(a.pk, a.due_reason) for a in due] == [(returned.pk, "returned"), (lapsing.pk, "lapsing")]
    assert fresh.pk not in {a.pk for a in due} and lapsed.pk not in {a.pk for a in due}


def test_a_lapsed_record_that_is_still_the_latest_is_due(world):
    lapsed = confirmed(world, assessed_on=days_ago(400))
    due = list(assessments_due(user=world.users["street0"]))
    assert [(a.pk, a.due_reason) for a in due] == [(lapsed.pk, "lapsed")]
    assert list(assessments_due(user=world.users["street1"])) == []
    assert list(assessments_due(user=world.users["family0"])) == [lapsed]


def test_the_window_is_a_setting_and_can_be_asked_for(world):
    record = confirmed(world, assessed_on=days_ago(300))  # about 64 days left
    assert list(assessments_due(user=world.users["street0"])) == []
    assert list(assessments_due(user=world.users["street0"], within_days=90)) == [record]


def test_a_record_with_a_confirmed_correction_is_not_due(world):
    original = confirmed(world, assessed_on=days_ago(400))
    correction = assessment_correct(actor=world.users["street0"], assessment=original, note="日期有误")
    # still due while the correction is a draft
    assert [a.pk for a in assessments_due(user=world.users["street0"])] == [original.pk]
    from yiyang.assessments.services import assessment_confirm, assessment_draft_update, assessment_submit

    assessment_draft_update(actor=world.users["street0"], assessment=correction, changes={"assessed_on": days_ago(5)})
    assessment_submit(actor=world.users["street0"], assessment=correction)
    assessment_confirm(actor=world.users["medical0"], assessment=correction)
    assert list(assessments_due(user=world.users["street0"])) == []
