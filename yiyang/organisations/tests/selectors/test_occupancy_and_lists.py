from dataclasses import asdict

import pytest

from yiyang.core.testing import set_permissions
from yiyang.organisations.models import Bed
from yiyang.organisations.selectors import (
    AdmissionFilters,
    OrganisationFilters,
    admission_list,
    occupancy_by_area,
    occupancy_by_organisation,
    occupancy_summary,
    organisation_list,
)

pytestmark = pytest.mark.django_db


def counts(row) -> tuple[int, int, int, int, int, float | None]:
    return (row.total, row.occupied, row.reserved, row.free, row.unavailable, row.rate)


def test_a_street_sees_its_own_four_organisations_with_bed_counts(world):
    # when
    orgs = list(organisation_list(user=world.users["street0"]))
    # then
    assert [o.name for o in orgs] == ["centre0机构", "health0机构", "institution0机构", "station0机构"]  # by kind, name
    institution = next(o for o in orgs if o.kind == "institution")
    assert (institution.beds_total, institution.beds_occupied, institution.beds_free) == (3, 1, 2)


def test_list_filters(world):
    user = world.users["bureau"]

    def names(**filters) -> list[str]:
        return sorted(o.name for o in organisation_list(user=user, filters=OrganisationFilters(**filters)))

    assert names() == sorted(f"{k}{s}机构" for k in ("institution", "station", "centre", "health") for s in range(2))
    assert names(kind="institution") == ["institution0机构", "institution1机构"]
    assert names(street=world.streets[1].public_id) == [
        "centre1机构",
        "health1机构",
        "institution1机构",
        "station1机构",
    ]
    assert names(community=world.communities[0][0].public_id) == ["health0机构", "institution0机构", "station0机构"]
    assert names(q="station1") == ["station1机构"]
    assert names(q="L1") == ["institution1机构"]
    assert names(integrated=True) == ["institution0机构", "institution1机构"]
    assert len(names(integrated=False)) == 6


def test_institution_staff_see_their_own_organisation_only(world):
    assert [o.name for o in organisation_list(user=world.users["institution0"])] == ["institution0机构"]


def test_no_right_no_rows(world):
    assert organisation_list(user=world.users["street0_noright"]).count() == 0
    assert occupancy_summary(user=world.users["street0_noright"]) == {
        "total": 0, "occupied": 0, "reserved": 0, "free": 0, "unavailable": 0, "rate": None,
    }  # fmt: skip
    assert occupancy_by_organisation(user=world.users["street0_noright"]) == []
    assert asdict(occupancy_by_area(user=world.users["street0_noright"])) == {"streets": [], "communities": []}


def test_occupancy_by_institution_counts_beds_in_service_only(world):
    # given: one free bed of institution0 out of service, one reserved
    beds = list(Bed.objects.filter(organisation=world.orgs["institution0"]).order_by("number"))
    Bed.objects.filter(pk=beds[1].pk).update(state="unavailable")
    Bed.objects.filter(pk=beds[2].pk).update(state="reserved")
    # when
    rows = occupancy_by_organisation(user=world.users["bureau"])
    # then: care centres keep beds but have none yet, so no rate
    assert [(r.name, r.street_name, *counts(r)) for r in rows] == [
        ("centre0机构", "第1街道", 0, 0, 0, 0, 0, None),
        ("institution0机构", "第1街道", 2, 1, 1, 0, 1, 50.0),
        ("centre1机构", "第2街道", 0, 0, 0, 0, 0, None),
        ("institution1机构", "第2街道", 3, 1, 0, 2, 0, 33.3),
    ]


def test_occupancy_of_a_street_excludes_the_other_street(world):
    user = world.users["street1"]
    assert occupancy_summary(user=user) == {
        "total": 3, "occupied": 1, "reserved": 0, "free": 2, "unavailable": 0, "rate": 33.3,
    }  # fmt: skip
    assert [r.name for r in occupancy_by_organisation(user=user)] == ["centre1机构", "institution1机构"]
    by_area = occupancy_by_area(user=user)
    assert [(r.name, *counts(r)) for r in by_area.streets] == [("第2街道", 3, 1, 0, 2, 0, 33.3)]
    assert [(r.name, r.street_name, *counts(r)) for r in by_area.communities] == [
        ("第2街道第1社区", "第2街道", 3, 1, 0, 2, 0, 33.3)
    ]


def test_occupancy_by_area_for_the_district(world):
    # a care centre's beds count for its street but for no community
    Bed.objects.create(organisation=world.orgs["centre0"], room="1", number="1", state="occupied")
    by_area = occupancy_by_area(user=world.users["bureau"])
    assert [(r.name, *counts(r)) for r in by_area.streets] == [
        ("第1街道", 4, 2, 0, 2, 0, 50.0),
        ("第2街道", 3, 1, 0, 2, 0, 33.3),
    ]
    assert [(r.name, *counts(r)) for r in by_area.communities] == [
        ("第1街道第1社区", 3, 1, 0, 2, 0, 33.3),
        ("第2街道第1社区", 3, 1, 0, 2, 0, 33.3),
    ]


def test_institution_staff_count_their_own_beds_only(world):
    assert occupancy_summary(user=world.users["institution1"]) == {
        "total": 3, "occupied": 1, "reserved": 0, "free": 2, "unavailable": 0, "rate": 33.3,
    }  # fmt: skip
    assert [r.name for r in occupancy_by_organisation(user=world.users["institution1"])] == ["institution1机构"]


def test_admission_list_filters_and_reach(world):
    bureau = world.users["bureau"]
    assert admission_list(user=bureau).count() == 2
    only0 = admission_list(user=bureau, filters=AdmissionFilters(organisation=world.orgs["institution0"].public_id))
    assert [a.elder.name for a in only0] == ["resident0老人"]
    assert admission_list(user=bureau, filters=AdmissionFilters(is_open=False)).count() == 0
    assert admission_list(user=bureau, filters=AdmissionFilters(is_open=True)).count() == 2
    assert [a.elder.name for a in admission_list(user=world.users["street1"])] == ["resident1老人"]
    assert [a.elder.name for a in admission_list(user=world.users["institution0"])] == ["resident0老人"]
    assert admission_list(user=world.users["street0_noright"]).count() == 0


def test_stays_name_residents_so_they_need_elders_view(world):
    viewer = world.users["street0"]
    set_permissions(viewer, "organisations.view")
    assert admission_list(user=viewer).count() == 0
    assert occupancy_summary(user=viewer)["occupied"] == 1  # counts name nobody
