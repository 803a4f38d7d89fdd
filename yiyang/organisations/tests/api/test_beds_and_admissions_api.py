from datetime import date

import pytest

from yiyang.core.masking import mask_national_id
from yiyang.organisations.models import Admission, Bed
from yiyang.organisations.tests.support import api_client, field_codes, snapshot

pytestmark = pytest.mark.django_db


def test_beds_of_an_institution_in_label_order(world, beds):
    response = api_client(world.users["institution0"]).get(
        f"/api/v1/organisations/{world.orgs['institution0'].public_id}/beds/"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(b["label"], b["state"]) for b in body["results"]] == [
        ("A-101-1", "occupied"), ("A-101-2", "free"), ("A-101-3", "free"),
    ]  # fmt: skip


def test_add_a_bed(world):
    response = api_client(world.users["institution0"]).post(
        f"/api/v1/organisations/{world.orgs['institution0'].public_id}/beds/",
        {"building": "B", "room": "202", "number": "1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["label"], response.json()["state"]) == ("B-202-1", "free")
    assert Bed.objects.filter(organisation=world.orgs["institution0"]).count() == 4


def test_a_duplicate_bed_names_the_number(world):
    before = snapshot()
    response = api_client(world.users["institution0"]).post(
        f"/api/v1/organisations/{world.orgs['institution0'].public_id}/beds/",
        {"building": "A", "room": "101", "number": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {("number", "duplicate")}
    assert snapshot() == before


def test_set_the_state_of_a_bed(world, beds):
    response = api_client(world.users["institution0"]).post(
        f"/api/v1/beds/{beds[0][2].public_id}/state/", {"state": "unavailable", "note": "维修"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["note"]) == ("unavailable", "维修")


def test_an_occupied_bed_state_is_refused(world, beds):
    response = api_client(world.users["institution0"]).post(
        f"/api/v1/beds/{beds[0][0].public_id}/state/", {"state": "free"}, format="json"
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {("state", "bed_occupied")}
    assert Bed.objects.get(pk=beds[0][0].pk).state == "occupied"


def test_admissions_list_masks_national_ids(world):
    response = api_client(world.users["street0"]).get("/api/v1/admissions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    resident = world.elders["resident0"]
    assert row["elder"] == {
        "id": str(resident.public_id), "name": "resident0老人", "national_id_masked": mask_national_id(resident.national_id),
    }  # fmt: skip
    assert resident.national_id not in response.content.decode()
    assert (row["bed"]["label"], row["admitted_on"], row["is_open"]) == ("A-101-1", "2025-01-01", True)


def test_admissions_list_filters(world):
    client = api_client(world.users["bureau"])
    org1 = world.orgs["institution1"].public_id
    assert [
        r["elder"]["name"] for r in client.get("/api/v1/admissions/", {"organisation": org1}).json()["results"]
    ] == ["resident1老人"]
    assert client.get("/api/v1/admissions/", {"open": "false"}).json()["count"] == 0
    assert client.get("/api/v1/admissions/", {"open": "true"}).json()["count"] == 2


def test_admit_by_national_id(world, beds):
    # given
    client = api_client(world.users["institution0"])
    # when
    response = client.post(
        "/api/v1/admissions/",
        {
            "bed": str(beds[0][1].public_id),
            "elder_national_id": world.elders["elder0"].national_id,
            "admitted_on": "2025-05-01",
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["elder"]["name"], body["bed"]["label"], body["admitted_on"]) == ("elder0老人", "A-101-2", "2025-05-01")
    assert Bed.objects.get(pk=beds[0][1].pk).state == "occupied"
    # the new resident is now within the institution's reach
    assert client.get(f"/api/v1/elders/{world.elders['elder0'].public_id}/").status_code == 200


def test_admit_lists_every_problem(world, beds):
    before = snapshot()
    response = api_client(world.users["institution0"]).post(
        "/api/v1/admissions/",
        {"bed": str(beds[0][0].public_id), "elder_national_id": world.elders["resident1"].national_id},
        format="json",
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {("bed", "bed_not_available"), ("elder_national_id", "already_admitted")}
    assert snapshot() == before


def test_admit_into_an_unknown_bed_is_not_found(world):
    response = api_client(world.users["institution0"]).post(
        "/api/v1/admissions/",
        {"bed": "00000000-0000-0000-0000-000000000000", "elder_national_id": world.elders["elder0"].national_id},
        format="json",
    )
    assert response.status_code == 404


def test_discharge(world, beds):
    stay = Admission.objects.get(elder=world.elders["resident0"])
    response = api_client(world.users["institution0"]).post(
        f"/api/v1/admissions/{stay.public_id}/discharge/",
        {"reason": "transfer", "discharged_on": "2025-04-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["discharged_on"], response.json()["discharge_reason"], response.json()["is_open"]) == (
        "2025-04-01", "transfer", False,
    )  # fmt: skip
    assert Bed.objects.get(pk=beds[0][0].pk).state == "free"


def test_discharge_with_a_bad_reason_is_refused(world):
    stay = Admission.objects.get(elder=world.elders["resident0"])
    response = api_client(world.users["institution0"]).post(
        f"/api/v1/admissions/{stay.public_id}/discharge/", {"reason": "escaped"}, format="json"
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {("reason", "invalid_choice")}
    stay.refresh_from_db()
    assert stay.discharged_on is None


def test_occupancy_for_the_district(world):
    response = api_client(world.users["bureau"]).get("/api/v1/occupancy/")
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == {"total": 6, "occupied": 2, "reserved": 0, "free": 4, "unavailable": 0, "rate": 33.3}
    assert [(r["name"], r["kind"], r["total"], r["rate"]) for r in body["by_organisation"]] == [
        ("centre0机构", "care_centre", 0, None),
        ("institution0机构", "institution", 3, 33.3),
        ("centre1机构", "care_centre", 0, None),
        ("institution1机构", "institution", 3, 33.3),
    ]
    assert [(r["name"], r["occupied"], r["total"]) for r in body["by_street"]] == [("第1街道", 1, 3), ("第2街道", 1, 3)]
    assert [(r["name"], r["street_name"], r["free"]) for r in body["by_community"]] == [
        ("第1街道第1社区", "第1街道", 2),
        ("第2街道第1社区", "第2街道", 2),
    ]


def test_occupancy_after_admission_and_discharge(world, beds):
    client = api_client(world.users["institution0"])
    client.post(
        "/api/v1/admissions/",
        {"bed": str(beds[0][1].public_id), "elder_national_id": world.elders["elder0"].national_id},
        format="json",
    )
    assert client.get("/api/v1/occupancy/").json()["summary"]["rate"] == 66.7
    stay = Admission.objects.get(elder=world.elders["resident0"])
    client.post(
        f"/api/v1/admissions/{stay.public_id}/discharge/",
        {"reason": "home", "discharged_on": str(date(2025, 2, 1))},
        format="json",
    )
    assert client.get("/api/v1/occupancy/").json()["summary"] == {
        "total": 3, "occupied": 1, "reserved": 0, "free": 2, "unavailable": 0, "rate": 33.3,
    }  # fmt: skip
