"""The benefits API end to end: submit, attach, review, decide, withdraw, end; errors name fields."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import Application, Attachment, Entitlement
from yiyang.benefits.tests.support import PAYEE, PDF, approved, startup_submitted, submitted
from yiyang.core.masking import mask_bank_account

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def startup_body(world, **extra):
    return {
        "scheme": "startup_subsidy",
        "organisation": str(world.orgs["institution0"].public_id),
        "facts": {"approved_beds": 60, "premises": "own_building"},
        "requested_from": "2026-11-01",
        **PAYEE,
        **extra,
    }


def test_the_whole_workflow_through_the_api(world):
    response = api(world.users["institution0"]).post(
        "/api/v1/benefits/applications/", startup_body(world), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["scheme_label"], body["channel"]) == ("submitted", "一次性开办补助", "institution")
    assert body["subject"] == {
        "kind": "organisation", "id": str(world.orgs["institution0"].public_id), "name": "institution0机构",
        "organisation": None,
    }  # fmt: skip
    assert body["fact_rows"] == [{"label": "核定床位（张）", "value": "60"}, {"label": "用房性质", "value": "自建用房"}]
    assert body["payee_account"] == "6222***********3445"  # masked on every screen; only the bank file has it
    public_id = body["id"]

    upload = SimpleUploadedFile("licence.pdf", PDF, content_type="application/octet-stream")
    response = api(world.users["institution0"]).post(
        f"/api/v1/benefits/applications/{public_id}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["content_type"], response.json()["size"]) == ("application/pdf", len(PDF))
    attachment_id = response.json()["id"]

    download = api(world.users["street0"]).get(
        f"/api/v1/benefits/applications/{public_id}/attachments/{attachment_id}/"
    )
    assert download.status_code == 200
    assert (download.content, download["Content-Type"]) == (PDF, "application/pdf")

    review = api(world.users["street0"]).post(
        f"/api/v1/benefits/applications/{public_id}/review/", {"decision": "approve", "note": "齐全"}, format="json"
    )
    assert (review.status_code, review.json()["status"], review.json()["street_note"]) == (
        200,
        "street_approved",
        "齐全",
    )

    decision = api(world.users["bureau"]).post(
        f"/api/v1/benefits/applications/{public_id}/decide/", {"decision": "approve"}, format="json"
    )
    assert decision.status_code == 200, decision.content
    entitlement_id = decision.json()["entitlement"]
    detail = api(world.users["bureau"]).get(f"/api/v1/benefits/entitlements/{entitlement_id}/").json()
    assert detail["instalments"][0]["amount"] == "180000.00"
    assert Decimal(detail["instalments"][0]["amount"]) == Decimal("180000")
    assert detail["instalments"][0]["paid"] is False

    ended = api(world.users["bureau"]).post(
        f"/api/v1/benefits/entitlements/{entitlement_id}/end/",
        {"reason": "机构注销", "ends_on": "2026-12-31"},
        format="json",
    )
    assert (ended.status_code, ended.json()["status"], ended.json()["stop_reason"]) == (200, "ended", "officer")


def test_every_problem_is_named_at_once(world):
    body = startup_body(world, facts={"approved_beds": 10}, payee_account="12", payee_bank="")
    response = api(world.users["institution0"]).post("/api/v1/benefits/applications/", body, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("facts.premises", "required"),
        ("payee_account", "invalid"),
        ("payee_bank", "required"),
    ]
    body = startup_body(world, facts={"approved_beds": 10, "premises": "own_building"})
    response = api(world.users["institution0"]).post("/api/v1/benefits/applications/", body, format="json")
    assert response.json()["errors"] == [
        {"field": "facts.approved_beds", "reason": "核定床位 10 张，少于 50 张的下限", "code": "refused"}
    ]
    assert not Application.objects.exists()


def test_an_over_long_text_is_a_400_naming_it(world):
    body = startup_body(world, payee_name="名" * 101)
    response = api(world.users["institution0"]).post("/api/v1/benefits/applications/", body, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["payee_name"]


def test_the_idempotency_key_returns_the_same_application(world):
    body = startup_body(world, idempotency_key="row-1")
    first = api(world.users["institution0"]).post("/api/v1/benefits/applications/", body, format="json")
    again = api(world.users["institution0"]).post("/api/v1/benefits/applications/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Application.objects.count() == 1


def test_lists_mask_the_payee_account_and_are_audited(world):
    application = submitted(world)
    response = api(world.users["street0"]).get("/api/v1/benefits/applications/")
    [row] = response.json()["results"]
    assert row["payee_account"] == mask_bank_account(PAYEE["payee_account"]) == "6222***********3445"
    event = AuditEvent.objects.filter(action="view", entity_type="benefit_application").latest("id")
    assert event.record_ids == [str(application.public_id)]
    detail = api(world.users["street0"]).get(f"/api/v1/benefits/applications/{application.public_id}/").json()
    assert detail["payee_account"] == "6222***********3445"
    family = api(world.users["family0"]).get(f"/api/v1/benefits/applications/{application.public_id}/").json()
    assert family["payee_account"] == "6222***********3445"


def test_the_queue_filter_keeps_the_callers_queue(world):
    waiting = submitted(world)
    approved(world, startup_submitted(world))
    rows = api(world.users["street0"]).get("/api/v1/benefits/applications/?queue=street_review").json()["results"]
    assert [r["id"] for r in rows] == [str(waiting.public_id)]
    rows = api(world.users["bureau"]).get("/api/v1/benefits/applications/?queue=district_decision").json()["results"]
    assert rows == []


def test_a_refusal_needs_a_reason(world):
    application = submitted(world)
    response = api(world.users["street0"]).post(
        f"/api/v1/benefits/applications/{application.public_id}/review/", {"decision": "refuse"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "reason", "reason": "请填写不予通过原因", "code": "required"}]


def test_an_attachment_that_is_not_pdf_jpg_or_png_is_refused(world):
    application = submitted(world)
    upload = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = api(world.users["family0"]).post(
        f"/api/v1/benefits/applications/{application.public_id}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert not Attachment.objects.exists()


def test_the_applicant_withdraws(world):
    application = submitted(world)
    response = api(world.users["family0"]).post(f"/api/v1/benefits/applications/{application.public_id}/withdraw/")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")


def test_entitlement_list_masks_and_filters(world):
    approved(world, submitted(world))
    rows = (
        api(world.users["bureau"]).get("/api/v1/benefits/entitlements/?scheme=resident_care_subsidy").json()["results"]
    )
    assert [(r["scheme"], r["payee_account"], r["subject"]["name"]) for r in rows] == [
        ("resident_care_subsidy", "6222***********3445", "elder0老人")
    ]
    assert api(world.users["bureau"]).get("/api/v1/benefits/entitlements/?status=nope").status_code == 400
    assert Entitlement.objects.count() == 1
