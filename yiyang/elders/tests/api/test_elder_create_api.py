import pytest
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(world, **overrides):
    data = {
        "name": "王秀英",
        "national_id": national_id(101),
        "community": str(world.communities[0][1].public_id),
        "phone": "13912345678",
        "economic_status": "dibao",
        "living_arrangement": "alone",
        "emergency_contacts": [{"name": "王强", "relation": "儿子", "phone": "13800001111"}],
    }
    data.update(overrides)
    return data


def test_street_staff_registers_elder_with_derived_birth_and_sex(world):
    # given
    client = client_for(world.users["street0"])
    # when
    response = client.post("/api/v1/elders/", payload(world), format="json")
    # then
    assert response.status_code == 201, response.json()
    elder = Elder.objects.get(national_id=national_id(101))
    assert str(elder.birth_date) == "1950-03-15"
    assert elder.sex == "M"  # sequence 101 is odd
    assert elder.street == world.streets[0]
    assert [c.name for c in elder.emergency_contacts.all()] == ["王强"]
    event = AuditEvent.objects.get(action="create", entity_id=str(elder.public_id))
    assert event.actor == world.users["street0"]
    assert "national_id" in event.fields


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (
            {"national_id": national_id(101)[:17] + ("0" if national_id(101)[17] != "0" else "1")},
            "national_id",
            "national_id_invalid",
        ),
        ({"national_id": national_id(11)}, "national_id", "duplicate"),
        ({"birth_date": "1951-03-15"}, "birth_date", "contradicts_national_id"),
        ({"sex": "F"}, "sex", "contradicts_national_id"),
        ({"phone": "12345"}, "phone", "invalid"),
        ({"economic_status": "rich"}, "economic_status", "invalid_choice"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, overrides, field, code):
    client = client_for(world.users["street0"])
    before_elders, before_events = Elder.objects.count(), AuditEvent.objects.count()

    response = client.post("/api/v1/elders/", payload(world, **overrides), format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in errors], errors
    assert Elder.objects.count() == before_elders
    assert AuditEvent.objects.count() == before_events


def test_community_of_another_street_is_refused_as_not_found(world):
    client = client_for(world.users["street0"])
    response = client.post(
        "/api/v1/elders/", payload(world, community=str(world.communities[1][0].public_id)), format="json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["community"]
    assert not Elder.objects.filter(national_id=national_id(101)).exists()


def test_a_patch_that_changes_nothing_still_audits_the_full_record_it_returns(world):
    elder = world.elders["elder0"]
    response = client_for(world.users["street0"]).patch(f"/api/v1/elders/{elder.public_id}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["national_id"] == elder.national_id
    events = AuditEvent.objects.filter(entity_id=str(elder.public_id))
    assert [(e.action, e.fields) for e in events] == [("view", ["national_id", "phone"])]
