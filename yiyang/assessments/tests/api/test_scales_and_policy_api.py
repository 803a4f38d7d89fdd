"""Scale definitions and policy versions over the API."""

from datetime import date

import pytest

from yiyang.assessments.models import PolicyVersion
from yiyang.assessments.tests.support import LTC, api_client, field_codes, snapshot

pytestmark = pytest.mark.django_db

TABLE = [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]]


def test_scale_list_shows_every_scale_and_which_are_fully_verified(world):
    body = api_client(world.users["street0"]).get("/api/v1/assessment-scales/").json()
    by_code = {row["code"]: row for row in body}
    assert list(by_code) == ["gbt42195-2022", "ltc-2021", "ltc-2021-self", "barthel", "selfcare-phs", "mzt039-2013"]
    assert by_code["gbt42195-2022"]["item_count"] == 26
    assert by_code["gbt42195-2022"]["max_total"] == 90
    assert by_code["ltc-2021"]["verified"] is False
    # GB/T 42195's sources are verified, but the coma rule and the stacking switch are not
    assert by_code["gbt42195-2022"]["verified"] is False
    assert any("stack_level_rules" in part for part in by_code["gbt42195-2022"]["unverified"])


def test_scale_detail_has_chinese_options_groups_and_sources(world):
    body = api_client(world.users["street0"]).get("/api/v1/assessment-scales/gbt42195-2022/").json()
    assert [g["code"] for g in body["groups"]] == ["B.1", "B.2", "B.3", "B.4"]
    first = body["items"][0]
    assert first["code"] == "B.1.1"
    assert first["options"][0]["text"] == "独立使用器具将食物送进口中并咽下，没有呛咳"
    assert {s["id"] for s in body["sources"]} >= {"S1", "S2", "S3"}
    assert next(level["name"] for level in body["levels"]) == "能力完好"
    assert api_client(world.users["street0"]).get("/api/v1/assessment-scales/nope/").status_code == 404


def test_an_officer_loads_a_version_and_everyone_in_the_district_reads_it(world):
    body = {
        "scale": LTC,
        "effective_from": "2025-01-01",
        "source": "附件",
        "verified": True,
        "policy": {"combination": TABLE},
    }
    response = api_client(world.users["bureau"]).post("/api/v1/assessment-policies/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["district"], created["verified"], created["is_current"]) == ("测试区", True, True)
    listed = api_client(world.users["street1"]).get("/api/v1/assessment-policies/").json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]


def test_bad_policy_names_each_problem(world):
    before = snapshot()
    body = {
        "scale": LTC,
        "effective_from": "2025-01-01",
        "source": "",
        "verified": False,
        "policy": {"combination": [[9]]},
    }
    response = api_client(world.users["bureau"]).post("/api/v1/assessment-policies/", body, format="json")
    assert response.status_code == 400
    fields = {field for field, _ in field_codes(response.json())}
    assert "source" in fields
    assert any(f.startswith("policy.combination") for f in fields)
    assert snapshot() == before
    assert PolicyVersion.objects.count() == 0


def test_policy_is_forbidden_without_the_right(world):
    body = {"scale": LTC, "effective_from": date(2025, 1, 1).isoformat(), "source": "x", "verified": True,
            "policy": {"combination": TABLE}}  # fmt: skip
    assert (
        api_client(world.users["health_officer"]).post("/api/v1/assessment-policies/", body, format="json").status_code
        == 403
    )
