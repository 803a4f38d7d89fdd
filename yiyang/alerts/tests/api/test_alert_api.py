import pytest

from yiyang.alerts.models import AlertEvent, EscalationPolicy
from yiyang.alerts.services import alerts_apply
from yiyang.alerts.tests.support import grant, raise_cmd
from yiyang.audit.models import AuditEvent
from yiyang.organisations.tests.support import api_client

pytestmark = pytest.mark.django_db


def test_list_filters_and_order(world):
    alerts_apply(
        [
            raise_cmd(world.elders["elder0"], "inactivity", "urgent"),
            raise_cmd(world.elders["resident0"], "sos", "emergency"),
            raise_cmd(world.elders["elder1"], "sos", "emergency"),
        ]
    )
    client = api_client(world.users["bureau"])
    body = client.get("/api/v1/alerts/").json()
    assert [r["severity"] for r in body["results"]] == ["emergency", "emergency", "urgent"]
    assert client.get("/api/v1/alerts/?severity=urgent").json()["count"] == 1
    assert client.get(f"/api/v1/alerts/?street={world.streets[1].public_id}").json()["count"] == 1
    assert client.get("/api/v1/alerts/?status=closed").json()["count"] == 0
    bad = client.get("/api/v1/alerts/?severity=bad")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "severity"


def test_acknowledge_with_an_idempotency_key_replays_the_first_answer(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"])]).opened[0]
    client = api_client(world.users["street0"])
    url = f"/api/v1/alerts/{alert.public_id}/acknowledge/"
    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="ack-1")
    again = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="ack-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert AlertEvent.objects.filter(kind="acknowledged").count() == 1


def test_refused_transitions_answer_409_and_bad_input_400(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"])]).opened[0]
    client = api_client(world.users["street0"])
    on_scene = client.post(f"/api/v1/alerts/{alert.public_id}/on-scene/", {}, format="json")
    assert on_scene.status_code == 409
    close = client.post(f"/api/v1/alerts/{alert.public_id}/close/", {"close_code": "nope"}, format="json")
    assert close.status_code == 400 and close.json()["errors"][0]["field"] == "close_code"


def test_timeline_and_policy_views(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"])]).opened[0]
    client = api_client(world.users["street0"])
    assert [e["kind"] for e in client.get(f"/api/v1/alerts/{alert.public_id}/timeline/").json()] == ["opened"]
    policies = client.get("/api/v1/alerts/escalation-policy/").json()["policies"]
    assert [s["after_seconds"] for s in policies["emergency"]["steps"]] == [0, 60, 180, 300]


def test_a_policy_change_is_validated(world):
    client = api_client(world.users["bureau"])
    bad = {
        "severity": "urgent",
        "policy": {"steps": [{"after_seconds": 10, "notify": ["pager"]}]},
        "source": "区民政局2025年第1号通知",
    }
    response = client.put("/api/v1/alerts/escalation-policy/", bad, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"steps[0].notify", "steps[0].after_seconds"}
    assert not EscalationPolicy.objects.exists()


POLICY_CHANGE = {
    "severity": "urgent",
    "policy": {"steps": [{"after_seconds": 0, "notify": ["console"]}, {"after_seconds": 120, "notify": ["helper"]}]},
    "source": "区民政局2025年第1号通知",
}


def test_a_street_account_granted_configure_may_not_change_the_district_policy(world):
    # given: a street account granted alerts.configure (it manages no district)
    street = grant(world.users["street0"], "alerts.configure")
    # when: it replaces the district's urgent policy
    response = api_client(street).put("/api/v1/alerts/escalation-policy/", POLICY_CHANGE, format="json")
    # then: refused with the reason, and nothing is written or audited
    assert response.status_code == 403
    assert response.json()["detail"] == "只有区级主管人员可以修改辖区告警升级策略"
    assert not EscalationPolicy.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="escalation_policy").exists()


def test_a_district_override_needs_a_source(world):
    client = api_client(world.users["bureau"])
    for blank in ({**POLICY_CHANGE, "source": "  "}, {k: v for k, v in POLICY_CHANGE.items() if k != "source"}):
        response = client.put("/api/v1/alerts/escalation-policy/", blank, format="json")
        assert response.status_code == 400
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("source", "required")]
    assert not EscalationPolicy.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="escalation_policy").exists()
    ok = client.put("/api/v1/alerts/escalation-policy/", POLICY_CHANGE, format="json")
    assert ok.status_code == 200
    assert EscalationPolicy.objects.get().source == "区民政局2025年第1号通知"


def test_viewing_the_handoff_sheet_is_audited_with_the_fields_it_shows(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"])]).opened[0]
    response = api_client(world.users["street0"]).get(f"/api/v1/alerts/{alert.public_id}/handoff/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(entity_type="alert_handoff")
    assert (event.action, event.entity_id, event.actor_id) == ("view", str(alert.public_id), world.users["street0"].pk)
    assert sorted(event.fields) == ["address", "conditions", "contacts", "key_holders", "medication", "phone"]


def test_the_list_filters_by_category_and_names_each_alerts_category(world):
    alerts_apply(
        [
            raise_cmd(world.elders["elder0"]),
            raise_cmd(world.elders["elder0"], "battery_low", "technical", rule="battery_low", battery=15),
            raise_cmd(world.elders["elder1"], "device_offline", "technical", rule="device_offline"),
        ]
    )
    client = api_client(world.users["bureau"])
    technical = client.get("/api/v1/alerts/?category=technical").json()
    assert sorted((r["alert_type"], r["category"]) for r in technical["results"]) == [
        ("battery_low", "technical"),
        ("device_offline", "technical"),
    ]
    health = client.get("/api/v1/alerts/?category=health").json()
    assert [(r["alert_type"], r["category"]) for r in health["results"]] == [("sos", "health")]
    assert client.get("/api/v1/alerts/").json()["count"] == 3
    assert client.get("/api/v1/alerts/?category=").json()["count"] == 3
    bad = client.get("/api/v1/alerts/?category=devices")
    assert bad.status_code == 400
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [("category", "invalid_choice")]


def test_the_category_parameter_is_in_the_openapi_schema(world):
    schema = api_client(world.users["bureau"]).get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/alerts/"]["get"]["parameters"]}
    assert parameters["category"]["in"] == "query"
    assert parameters["category"]["schema"]["enum"] == ["health", "technical", ""]
    assert "device offline, not worn, low battery" in parameters["category"]["description"]
