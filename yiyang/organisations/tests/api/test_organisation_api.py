import pytest

from yiyang.audit.models import AuditEvent
from yiyang.organisations.models import Organisation
from yiyang.organisations.tests.support import api_client, field_codes, grant, snapshot

pytestmark = pytest.mark.django_db


def test_list_shows_places_numbers_flag_and_bed_counts(world):
    # given
    client = api_client(world.users["street0"])
    # when
    response = client.get("/api/v1/organisations/", {"kind": "institution"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == str(world.orgs["institution0"].public_id)
    assert (row["name"], row["kind"], row["licence_number"], row["is_integrated_care"]) == (
        "institution0机构", "institution", "L0", True,
    )  # fmt: skip
    assert row["street"] == {
        "id": str(world.streets[0].public_id), "code": world.streets[0].code, "name": "第1街道",
    }  # fmt: skip
    assert row["beds"] == {"total": 3, "occupied": 1, "reserved": 0, "free": 2, "unavailable": 0, "rate": 33.3}


def test_list_filters_are_validated(world):
    response = api_client(world.users["street0"]).get("/api/v1/organisations/", {"kind": "spa", "street": "x"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "street"}


def test_list_filter_by_flag_and_text(world):
    client = api_client(world.users["bureau"])
    integrated = client.get("/api/v1/organisations/", {"integrated": "true"}).json()
    assert sorted(r["name"] for r in integrated["results"]) == ["institution0机构", "institution1机构"]
    assert client.get("/api/v1/organisations/", {"q": "health"}).json()["count"] == 2


def test_detail_has_contact_details(world):
    Organisation.objects.filter(pk=world.orgs["station0"].pk).update(contact_name="张站长", contact_phone="13900001111")
    response = api_client(world.users["street0"]).get(f"/api/v1/organisations/{world.orgs['station0'].public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["contact_name"], body["contact_phone"], body["district"]["name"]) == (
        "张站长",
        "13900001111",
        "测试区",
    )
    assert body["beds"] == {"total": 0, "occupied": 0, "reserved": 0, "free": 0, "unavailable": 0, "rate": None}


def test_detail_with_a_malformed_id_is_not_found(world):
    response = api_client(world.users["street0"]).get("/api/v1/organisations/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_create_derives_the_place_and_answers_201(world):
    # given
    client = api_client(grant(world.users["street0"], "organisations.change"))
    payload = {
        "kind": "hospital", "name": "第一街道医院", "area": str(world.communities[0][1].public_id),
        "hospital_grade": "2A", "licence_number": "PDY0001", "is_integrated_care": True,
        "latitude": "24.480000", "longitude": "118.080000",
    }  # fmt: skip
    # when
    response = client.post("/api/v1/organisations/", payload, format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    org = Organisation.objects.get(public_id=body["id"])
    assert (org.street, org.district, org.hospital_grade) == (world.streets[0], world.district, "2A")
    assert (body["street"]["name"], body["latitude"], body["beds"]["rate"]) == ("第1街道", "24.480000", None)
    assert AuditEvent.objects.filter(entity_id=body["id"], action="create").count() == 1


def test_create_lists_every_bad_field_and_writes_nothing(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    before = snapshot()
    response = client.post(
        "/api/v1/organisations/",
        {"kind": "care_centre", "name": "", "area": str(world.communities[0][1].public_id), "hospital_grade": "2A",
         "credit_code": "91350200MA2XXXXXX0", "contact_phone": "999"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert field_codes(response.json()) == {
        ("name", "required"),
        ("area", "invalid_level"),
        ("hospital_grade", "not_applicable"),
        ("credit_code", "invalid"),
        ("contact_phone", "invalid"),
    }
    assert snapshot() == before


def test_create_with_an_unknown_area_names_the_area(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    response = client.post(
        "/api/v1/organisations/",
        {"kind": "station", "name": "站", "area": "00000000-0000-0000-0000-000000000000"},
        format="json",
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {("area", "not_found")}


def test_create_is_idempotent_with_a_key(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    payload = {"kind": "station", "name": "幂等站", "area": str(world.communities[0][1].public_id)}
    first = client.post("/api/v1/organisations/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/organisations/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert Organisation.objects.filter(name="幂等站").count() == 1


def test_patch_changes_fields_and_answers_the_record(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    url = f"/api/v1/organisations/{world.orgs['station0'].public_id}/"
    response = client.patch(
        url, {"contact_phone": "0592-1234567", "area": str(world.communities[0][1].public_id)}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["contact_phone"], response.json()["area"]["name"]) == ("0592-1234567", "第1街道第2社区")
    event = AuditEvent.objects.get(entity_id=str(world.orgs["station0"].public_id))
    assert event.fields == ["area", "contact_phone"]


def test_patch_refusals_write_nothing(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    before = snapshot()
    response = client.patch(
        f"/api/v1/organisations/{world.orgs['institution0'].public_id}/",
        {"kind": "station", "status": "closed", "area": str(world.communities[1][0].public_id)},
        format="json",
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {
        ("kind", "has_beds"),
        ("status", "has_open_admissions"),
        ("area", "not_found"),
    }
    assert snapshot() == before
