"""/api/v1/monitoring/: a district's rules side by side (GET), replaced by a new version (PUT), their
history; an elder's monitoring profile (GET, audited; PUT). Errors name the document path."""

from yiyang.audit.models import AuditEvent
from yiyang.monitoring.engine.rules import load_default_rules
from yiyang.monitoring.models import DistrictRuleVersion
from yiyang.monitoring.services import district_rules_set, elder_monitoring_profile_set
from yiyang.monitoring.tests.support import HR_140, counts
from yiyang.organisations.tests.support import api_client


def rules_url(world):
    return f"/api/v1/monitoring/districts/{world.district.public_id}/rules/"


def profile_url(world, key="elder0"):
    return f"/api/v1/monitoring/elders/{world.elders[key].public_id}/profile/"


def rule(body, rule_id):
    return next(row for row in body["rules"] if row["id"] == rule_id)


def value(row, name):
    return next(v for v in row["values"] if v["name"] == name)


def test_get_shows_every_rule_with_default_source_override_and_effective_value(world):
    district_rules_set(actor=world.users["bureau"], district=world.district, document=HR_140, note="会议纪要")
    body = api_client(world.users["street0"]).get(rules_url(world)).json()
    assert body["district"] == {"id": str(world.district.public_id), "code": "350206", "name": "测试区"}
    assert (body["version"], body["document"], body["note"], body["updated_by"], body["problem"]) == (
        1,
        HR_140,
        "会议纪要",
        "bureau",
        "",
    )
    assert [row["id"] for row in body["blocks"]] == ["config", "validity", "suppression"]
    assert [row["id"] for row in body["rules"]] == list(load_default_rules()["rules"])  # every rule, in file order
    hr_high = rule(body, "hr_high")
    assert (hr_high["source"], hr_high["verified"], hr_high["overridden"]) == (
        "NEWS2 pulse >= 131 scores 3 [V]",
        False,
        True,
    )
    assert value(hr_high, "params.threshold") == {
        "name": "params.threshold",
        "default": 131,
        "overridden": True,
        "override": 140,
        "effective": 140,
    }
    assert value(hr_high, "params.min_count") == {
        "name": "params.min_count",
        "default": 2,
        "overridden": False,
        "override": None,
        "effective": 2,
    }
    assert value(hr_high, "enabled")["effective"] is True
    assert rule(body, "sos")["overridden"] is False


def test_put_saves_a_new_version_and_answers_the_new_state(world):
    client = api_client(world.users["bureau"])
    document = {"rules": {"night_bathroom": {"enabled": False}}, "config": {"rearm_s": 1800}}
    response = client.put(rules_url(world), {"document": document, "note": "试点"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["version"], body["document"], body["note"]) == (1, document, "试点")
    assert value(rule(body, "night_bathroom"), "enabled") == {
        "name": "enabled",
        "default": True,
        "overridden": True,
        "override": False,
        "effective": False,
    }
    config = next(row for row in body["blocks"] if row["id"] == "config")
    assert value(config, "rearm_s")["effective"] == 1800
    history = client.get(rules_url(world) + "versions/").json()
    assert history["count"] == 1
    assert history["results"][0] | {"changed_at": None} == {
        "version": 1,
        "document": document,
        "note": "试点",
        "changed_by": "bureau",
        "changed_at": None,
    }


def test_put_with_a_bad_document_answers_400_naming_each_path(world):
    before = counts()
    response = api_client(world.users["bureau"]).put(
        rules_url(world),
        {"document": {"rules": {"hr_high": {"params": {"threshold": "high"}}, "hr_hgh": {}}}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["detail"]) == (400, "监测规则有误")
    assert body["errors"] == [
        {"field": "rules.hr_high.params.threshold", "reason": "应为数字", "code": "invalid_type"},
        {"field": "rules.hr_hgh", "reason": "未知的规则", "code": "unknown_rule"},
    ]
    assert counts() == before


def test_put_without_a_document_names_the_field(world):
    response = api_client(world.users["bureau"]).put(rules_url(world), {"note": "x"}, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("document", "required")]


def test_put_honours_the_idempotency_key(world):
    client = api_client(world.users["bureau"])
    payload = {"document": HR_140, "note": "一次"}
    first = client.put(rules_url(world), payload, format="json", HTTP_IDEMPOTENCY_KEY="rules-1")
    again = client.put(rules_url(world), payload, format="json", HTTP_IDEMPOTENCY_KEY="rules-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert DistrictRuleVersion.objects.count() == 1
    reused = client.put(rules_url(world), {"document": {}}, format="json", HTTP_IDEMPOTENCY_KEY="rules-1")
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["code"] == "key_reused"


def test_an_unknown_or_malformed_district_is_not_found(world):
    client = api_client(world.users["bureau"])
    assert client.get("/api/v1/monitoring/districts/not-a-uuid/rules/").status_code == 404
    street = world.streets[0].public_id  # an area, but not a district
    assert client.get(f"/api/v1/monitoring/districts/{street}/rules/").status_code == 404


def test_elder_profile_get_is_empty_until_set_and_audited(world):
    response = api_client(world.users["street0"]).get(profile_url(world))
    assert response.status_code == 200
    assert response.json() == {
        "elder": {"id": str(world.elders["elder0"].public_id), "name": "elder0老人"},
        "flags": [],
        "override": {},
        "conditions": "",
        "medication": "",
        "note": "",
        "revision": 0,
        "updated_by": None,
        "updated_at": None,
        "problem": "",
        "overridden": [],
    }
    assert AuditEvent.objects.filter(entity_type="monitoring_profile", action="view").count() == 1


def test_elder_profile_put_sets_flags_and_override_over_the_district(world):
    district_rules_set(actor=world.users["bureau"], district=world.district, document=HR_140)
    client = api_client(world.users["medical0"])
    payload = {
        "flags": ["copd"],
        "override": {"rules": {"hr_high": {"params": {"threshold": 150}}}},
        "note": "签约医生",
    }
    response = client.put(profile_url(world), payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["flags"], body["override"], body["note"], body["revision"], body["updated_by"]) == (
        ["copd"],
        payload["override"],
        "签约医生",
        1,
        "medical0",
    )
    assert [row["id"] for row in body["overridden"]] == ["hr_high"]
    # The elder's row compares with the district's effective value (140), not the shipped default.
    assert value(body["overridden"][0], "params.threshold") == {
        "name": "params.threshold",
        "default": 140,
        "overridden": True,
        "override": 150,
        "effective": 150,
    }


def test_elder_profile_put_saves_conditions_and_medication(world):
    client = api_client(world.users["medical0"])
    payload = {"flags": [], "override": {}, "conditions": " 高血压；2型糖尿病 ", "medication": "二甲双胍"}
    response = client.put(profile_url(world), payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["conditions"], body["medication"]) == ("高血压；2型糖尿病", "二甲双胍")
    assert (client.get(profile_url(world)).json()["conditions"]) == "高血压；2型糖尿病"
    event = AuditEvent.objects.get(entity_type="monitoring_profile", action="change")
    assert event.fields == ["conditions", "medication"]


def test_elder_profile_put_refuses_too_long_conditions_and_medication(world):
    before = counts()
    response = api_client(world.users["street0"]).put(
        profile_url(world),
        {"flags": [], "override": {}, "conditions": "高" * 501, "medication": "药" * 501},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("conditions", "max_length"),
        ("medication", "max_length"),
    ]
    assert counts() == before


def test_elder_profile_put_errors_name_each_field(world):
    before = counts()
    response = api_client(world.users["street0"]).put(
        profile_url(world),
        {"flags": ["copd", "asthma"], "override": {"rules": {"fall": {"severity": "big"}}}},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("flags[1]", "invalid_choice"),
        ("rules.fall.severity", "invalid_choice"),
    ]
    missing = api_client(world.users["street0"]).put(profile_url(world), {"flags": []}, format="json")
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [("override", "required")]
    assert counts() == before


def test_elder_profile_put_honours_the_idempotency_key(world):
    client = api_client(world.users["street0"])
    payload = {"flags": ["dementia"], "override": None}
    for _ in range(2):
        response = client.put(profile_url(world), payload, format="json", HTTP_IDEMPOTENCY_KEY="profile-1")
        assert response.status_code == 200
    assert response["Idempotent-Replayed"] == "true"
    assert response.json()["revision"] == 1
    elder_monitoring_profile_set(actor=world.users["street0"], elder=world.elders["elder0"], flags=[], override={})
    assert client.get(profile_url(world)).json()["revision"] == 2
