"""The assessment API end to end: create, change, submit, review, correct, report, levels, due."""

import pytest

from yiyang.assessments.models import Assessment
from yiyang.assessments.tests.support import (
    GBT,
    api_client,
    confirmed,
    days_ago,
    draft,
    field_codes,
    gbt_answers,
    partial,
    snapshot,
    submitted,
)
from yiyang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def create_body(world, **overrides):
    body = {
        "elder": str(world.elders["elder0"].public_id),
        "scale": GBT,
        "reason": "first",
        "assessed_on": days_ago(1).isoformat(),
        "answers": partial(gbt_answers(1), "B.4.5"),
    }
    body.update(overrides)
    return body


def test_the_whole_life_of_an_assessment_through_the_api(world):
    assessor = api_client(world.users["street0"])
    reviewer = api_client(world.users["medical0"])
    # draft with one item missing
    response = assessor.post("/api/v1/assessments/", create_body(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["result"], body["level"]) == ("draft", None, None)
    assert body["elder"]["national_id_masked"] == "3502**********" + world.elders["elder0"].national_id[-4:]
    url = f"/api/v1/assessments/{body['id']}/"
    # submit refuses, naming the missing item
    response = assessor.post(url + "submit/")
    assert response.status_code == 400
    assert field_codes(response.json()) == {("answers.B.4.5", "missing_item")}
    # the draft is completed with PATCH, then submitted
    response = assessor.patch(url, {"answers": gbt_answers(1)}, format="json")
    assert response.status_code == 200, response.json()
    response = assessor.post(url + "submit/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["total"], body["level"], body["level_name"]) == (
        "submitted",
        78,
        1,
        "能力轻度受损（轻度失能）",
    )
    assert body["result"]["explanation"][0]["kind"] == "sum"
    assert body["verified"] is True
    # the assessor cannot confirm; a reviewer of the same street can
    assert assessor.post(url + "confirm/").status_code == 403
    response = reviewer.post(url + "confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["reviewer"]["name"] == "medical0"
    # a confirmed record cannot be patched
    response = assessor.patch(url, {"note": "改一下"}, format="json")
    assert response.status_code == 400
    assert field_codes(response.json()) == {("status", "invalid_status")}
    # correction supersedes it
    response = assessor.post(url + "correct/", {"note": "B.1.1 录错"}, format="json")
    assert response.status_code == 201
    assert response.json()["supersedes"] == body["id"]
    assert api_client(world.users["street0"]).get(url).json()["superseded_by"] == response.json()["id"]


def test_the_result_sent_by_a_client_is_ignored(world):
    client = api_client(world.users["street0"])
    body = create_body(world, answers=gbt_answers(0), result={"level": 4}, level=4)
    response = client.post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201
    assert response.json()["level"] is None
    record = Assessment.objects.get()
    assert record.result is None


def test_bad_input_lists_every_item(world):
    client = api_client(world.users["street0"])
    before = snapshot()
    body = create_body(world, answers={"B.1.1": 7, "Z.1": 1, "risk_events_30d": -1})
    response = client.post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400
    assert field_codes(response.json()) == {
        ("answers.B.1.1", "invalid_score"),
        ("answers.Z.1", "unknown_item"),
        ("answers.risk_events_30d", "invalid_fact"),
    }
    response = client.post("/api/v1/assessments/", create_body(world, scale="nope"), format="json")
    assert field_codes(response.json()) == {("scale", "unknown_scale")}
    assert snapshot() == before


def test_create_is_idempotent_with_a_key(world):
    client = api_client(world.users["street0"])
    first = client.post("/api/v1/assessments/", create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/assessments/", create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Assessment.objects.count() == 1


def test_return_needs_a_reason_and_records_it(world):
    record = submitted(world)
    client = api_client(world.users["medical0"])
    url = f"/api/v1/assessments/{record.public_id}/return/"
    assert field_codes(client.post(url, {"reason": ""}, format="json").json()) == {("reason", "required")}
    response = client.post(url, {"reason": "B.2.3 与现场不符"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["returned_reason"]) == ("returned", "B.2.3 与现场不符")


def test_detail_read_is_audited_and_family_sees_only_confirmed(world):
    record = confirmed(world)
    pending = submitted(world)
    family = api_client(world.users["family0"])
    response = family.get(f"/api/v1/assessments/{record.public_id}/")
    assert response.status_code == 200
    assert family.get(f"/api/v1/assessments/{pending.public_id}/").status_code == 404
    listed = family.get("/api/v1/assessments/").json()
    assert [row["id"] for row in listed["results"]] == [str(record.public_id)]
    # The list read is recorded too (one event naming the ids shown, no entity_id).
    event = AuditEvent.objects.filter(action="view", entity_type="assessment").exclude(entity_id="").get()
    assert (event.actor, event.entity_id) == (world.users["family0"], str(record.public_id))


def test_list_filters_and_query_count(world, django_assert_num_queries):
    confirmed(world)
    draft(world, elder="resident0")
    client = api_client(world.users["street0"])
    assert client.get("/api/v1/assessments/?status=draft").json()["count"] == 1
    assert client.get("/api/v1/assessments/?status=bogus").status_code == 400
    assert client.get(f"/api/v1/assessments/?elder={world.elders['elder0'].public_id}").json()["count"] == 1
    # the number of queries does not grow with the rows (a correction adds a superseded link)
    # count, page, and the audit event naming the rows: savepoint, chain head, insert, head update, release
    with django_assert_num_queries(7) as small:
        assert client.get("/api/v1/assessments/").json()["count"] == 2
    from yiyang.assessments.services import assessment_correct

    for _ in range(3):
        assessment_correct(actor=world.users["street0"], assessment=confirmed(world), note="更正")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/assessments/").json()["count"] == 8


def test_score_dry_run_saves_nothing(world):
    client = api_client(world.users["street0"])
    before = snapshot()
    response = client.post(
        "/api/v1/assessments/score/", {"scale": GBT, "answers": gbt_answers(2, diagnoses=["F00.1"])}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["level"], body["rules_applied"]) == (55, 3, ["mental_disorder"])
    response = client.post(
        "/api/v1/assessments/score/", {"scale": GBT, "answers": partial(gbt_answers(2), "B.1.1")}, format="json"
    )
    assert response.status_code == 400
    assert field_codes(response.json()) == {("answers.B.1.1", "missing_item")}
    assert snapshot() == before


def test_due_endpoint(world):
    record = confirmed(world, assessed_on=days_ago(400))
    body = api_client(world.users["street0"]).get("/api/v1/assessments/due/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["due_reason"]) == (str(record.public_id), "lapsed")
    assert row["days_left"] < 0


def test_elder_levels_endpoint(world):
    record = confirmed(world, answers=gbt_answers(4))
    body = (
        api_client(world.users["street0"])
        .get(f"/api/v1/elders/{world.elders['elder0'].public_id}/assessment-levels/")
        .json()
    )
    assert body["ability"]["current"]["id"] == str(record.public_id)
    assert body["ability"]["current"]["level_name"] == "能力完全丧失（完全失能）"
    assert body["long_term_care"]["current"] is None


def test_report_is_a_pdf_and_audited(world):
    record = confirmed(world)
    response = api_client(world.users["family0"]).get(f"/api/v1/assessments/{record.public_id}/report/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", entity_id=str(record.public_id)).count() == 1


def test_a_draft_has_no_report(world):
    record = draft(world)
    response = api_client(world.users["street0"]).get(f"/api/v1/assessments/{record.public_id}/report/")
    assert response.status_code == 400
    assert field_codes(response.json()) == {("status", "no_result")}
