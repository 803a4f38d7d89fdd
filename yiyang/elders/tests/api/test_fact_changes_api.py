"""POST and GET /api/v1/elders/<id>/fact-changes/: dated changes of an elder's economic status,
household registration and status (the permission matrix rows are in tests/test_permission_matrix.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.elders.models import ElderFactChange

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(elder) -> str:
    return f"/api/v1/elders/{elder.public_id}/fact-changes/"


def test_a_backdated_change_is_recorded_and_answered(world):
    elder = world.elders["elder0"]
    day = timezone.localdate() - timedelta(days=20)

    response = client_for(world.users["street0"]).post(
        url(elder),
        {"field": "economic_status", "new_value": "dibao", "effective_on": day.isoformat(), "basis": "审批决定"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    stored = ElderFactChange.objects.get()
    body = response.json()
    assert body == {
        "id": str(stored.public_id),
        "field": "economic_status",
        "field_label": "经济状况",
        "old_value": "ordinary",
        "old_value_label": "普通",
        "new_value": "dibao",
        "new_value_label": "低保",
        "effective_on": day.isoformat(),
        "recorded_at": body["recorded_at"],
        "recorded_by": "street0 · 第1街道",
        "basis": "审批决定",
    }
    elder.refresh_from_db()
    assert elder.economic_status == "dibao"
    event = AuditEvent.objects.get(action="change", entity_id=str(elder.public_id))
    assert event.fields == ["economic_status", "effective_on"]


def test_a_death_is_a_change_of_status(world):
    elder = world.elders["elder0"]
    response = client_for(world.users["street0"]).post(
        url(elder),
        {"field": "status", "new_value": "deceased", "effective_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["new_value_label"], response.json()["basis"]) == ("去世", "")
    elder.refresh_from_db()
    assert elder.status == "deceased"


def test_every_problem_is_named_at_once_and_nothing_is_written(world):
    elder = world.elders["elder0"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(world.users["street0"]).post(
        url(elder),
        {"field": "economic_status", "new_value": "rich", "effective_on": tomorrow.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    errors = [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert errors == [("new_value", "invalid_choice"), ("effective_on", "future")]
    assert ElderFactChange.objects.count() == 0
    assert not AuditEvent.objects.filter(action="change").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"field": "economic_status", "new_value": "dibao", "effective_on": "2026-13-01"}, "effective_on"),
        ({"field": "economic_status", "new_value": "dibao"}, "effective_on"),
        ({"field": "x" * 33, "new_value": "dibao", "effective_on": "2026-11-01"}, "field"),
        ({"field": "economic_status", "new_value": "d" * 33, "effective_on": "2026-11-01"}, "new_value"),
        (
            {"field": "economic_status", "new_value": "dibao", "effective_on": "2026-11-01", "basis": "依" * 301},
            "basis",
        ),
    ],
)
def test_malformed_input_is_a_400_naming_the_field(world, data, field):
    response = client_for(world.users["street0"]).post(url(world.elders["elder0"]), data, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert ElderFactChange.objects.count() == 0


def test_the_history_is_latest_first_and_its_read_is_audited(world):
    elder = world.elders["elder0"]
    client = client_for(world.users["street0"])
    today = timezone.localdate()
    for field, value, days in (
        ("economic_status", "dibao", 40),
        ("status", "moved_out", 10),
        ("economic_status", "tekun", 20),
    ):
        effective_on = (today - timedelta(days=days)).isoformat()
        data = {"field": field, "new_value": value, "effective_on": effective_on}
        assert client.post(url(elder), data, format="json").status_code == 201

    response = client_for(world.users["street0_readonly"]).get(url(elder))

    assert response.status_code == 200
    rows = response.json()
    assert [(r["field"], r["old_value"], r["new_value"], r["effective_on"]) for r in rows] == [
        ("status", "active", "moved_out", (today - timedelta(days=10)).isoformat()),
        ("economic_status", "dibao", "tekun", (today - timedelta(days=20)).isoformat()),
        ("economic_status", "ordinary", "dibao", (today - timedelta(days=40)).isoformat()),
    ]
    event = AuditEvent.objects.get(action="view", entity_type="elder_fact_change")
    assert event.actor == world.users["street0_readonly"]
    assert event.record_ids == [r["id"] for r in rows]


def test_an_elder_of_another_street_is_not_found(world):
    response = client_for(world.users["street0"]).get(url(world.elders["elder1"]))
    assert response.status_code == 404
    response = client_for(world.users["street0"]).post(
        url(world.elders["elder1"]),
        {"field": "economic_status", "new_value": "dibao", "effective_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 404
    assert ElderFactChange.objects.count() == 0
