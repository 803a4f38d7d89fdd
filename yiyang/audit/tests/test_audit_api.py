import pytest
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def bureau_client(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    return client


def test_viewing_then_changing_a_record_leaves_two_events_in_order(world):
    elder = world.elders["elder0"]
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    client.get(f"/api/v1/elders/{elder.public_id}/")
    client.patch(f"/api/v1/elders/{elder.public_id}/", {"notes": "行动不便"}, format="json")

    rows = bureau_client(world).get("/api/v1/audit-events/", {"entity_id": str(elder.public_id)}).json()["results"]

    assert [(r["action"], r["actor"], r["fields"]) for r in rows] == [
        ("change", "street0", ["notes"]),
        ("view", "street0", ["national_id", "phone"]),
    ]


def test_filter_by_action_and_actor(world):
    elder = world.elders["elder0"]
    for username in ("street0", "station0"):
        client = APIClient()
        client.force_authenticate(world.users[username])
        client.get(f"/api/v1/elders/{elder.public_id}/")
    rows = bureau_client(world).get("/api/v1/audit-events/", {"action": "view", "actor": "station0"}).json()
    assert rows["count"] == 1
    assert rows["results"][0]["actor"] == "station0"


def test_bad_date_filter_names_the_field(world):
    response = bureau_client(world).get("/api/v1/audit-events/", {"since": "yesterday"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "since"


def test_a_failed_write_leaves_no_event(world):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    before = AuditEvent.objects.count()
    response = client.patch(f"/api/v1/elders/{world.elders['elder0'].public_id}/", {"phone": "bad"}, format="json")
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before
