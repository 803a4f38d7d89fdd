"""Who sees which applications and entitlements, and the review queues."""

import pytest

from yiyang.areas.errors import AreaNotFound
from yiyang.benefits.selectors import (
    ApplicationFilters,
    EntitlementFilters,
    application_list,
    applications_in_reach,
    district_decision_queue,
    entitlement_list,
    entitlements_in_reach,
    street_review_queue,
)
from yiyang.benefits.tests.support import approved, resident_input, startup_submitted, street_approved, submitted
from yiyang.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world):
    return {
        "resident0": submitted(world),  # family0 for elder0
        "startup0": startup_submitted(world),  # institution0
        "resident1": submitted(world, "family1", resident_input(world, "elder1")),
        "startup1": startup_submitted(world, "institution1", org="institution1"),
        "resident_of_institution0": submitted(world, "street0", resident_input(world, "resident0")),
    }


def names(qs, rows) -> set[str]:
    by_pk = {a.pk: key for key, a in rows.items()}
    return {by_pk[a.pk] for a in qs}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("bureau", {"resident0", "startup0", "resident1", "startup1", "resident_of_institution0"}),
        ("street0", {"resident0", "startup0", "resident_of_institution0"}),
        ("street1", {"resident1", "startup1"}),
        ("institution0", {"startup0", "resident_of_institution0"}),
        ("family0", {"resident0"}),
        ("family1", {"resident1"}),
        ("street0_noright", set()),
        ("health_officer", set()),
        ("helper0", set()),
        ("centre0", set()),
    ],
)
def test_applications_in_reach(world, rows, user, expected):
    assert names(applications_in_reach(user=world.users[user]), rows) == expected


def test_entitlements_follow_the_same_reach(world, rows):
    approved(world, rows["resident0"])
    approved(world, rows["resident1"], reviewer="street1")
    assert entitlements_in_reach(user=world.users["family0"]).get().application_id == rows["resident0"].pk
    assert entitlements_in_reach(user=world.users["street1"]).get().application_id == rows["resident1"].pk
    assert entitlements_in_reach(user=world.users["bureau"]).count() == 2
    assert not entitlements_in_reach(user=world.users["institution0"]).exists()


def test_the_queues(world, rows):
    street_approved(world, rows["startup0"])
    # street0's own application (resident_of_institution0) is not in its own queue.
    assert names(street_review_queue(user=world.users["street0"]), rows) == {"resident0"}
    assert names(street_review_queue(user=world.users["bureau"]), rows) == {
        "resident0", "resident1", "startup1", "resident_of_institution0",
    }  # fmt: skip
    assert names(district_decision_queue(user=world.users["bureau"]), rows) == {"startup0"}
    assert not district_decision_queue(user=world.users["street0"]).exists()
    assert not street_review_queue(user=world.users["institution0"]).exists()


def test_list_filters(world, rows):
    street_approved(world, rows["startup0"])
    bureau = world.users["bureau"]
    assert names(application_list(user=bureau, filters=ApplicationFilters(status="street_approved")), rows) == {
        "startup0"
    }
    assert names(application_list(user=bureau, filters=ApplicationFilters(scheme="startup_subsidy")), rows) == {
        "startup0", "startup1",
    }  # fmt: skip
    street = world.streets[1].public_id
    assert names(application_list(user=bureau, filters=ApplicationFilters(street=street)), rows) == {
        "resident1", "startup1",
    }  # fmt: skip
    assert names(application_list(user=bureau, filters=ApplicationFilters(search="elder1")), rows) == {"resident1"}
    assert names(application_list(user=bureau, filters=ApplicationFilters(search="institution0")), rows) == {"startup0"}
    with pytest.raises(AreaNotFound):
        application_list(user=world.users["street0"], filters=ApplicationFilters(street=street))
    with pytest.raises(ValidationFailed) as caught:
        application_list(user=bureau, filters=ApplicationFilters(status="x", scheme="y"))
    assert [e.field for e in caught.value.errors] == ["status", "scheme"]


def test_entitlement_filters(world, rows):
    approved(world, rows["resident0"])
    approved(world, rows["startup0"])
    bureau = world.users["bureau"]
    assert (
        entitlement_list(user=bureau, filters=EntitlementFilters(scheme="startup_subsidy")).get().organisation
        == (world.orgs["institution0"])
    )
    assert entitlement_list(user=bureau, filters=EntitlementFilters(status="ended")).count() == 0
    assert entitlement_list(user=bureau, filters=EntitlementFilters(search="elder0")).count() == 1
