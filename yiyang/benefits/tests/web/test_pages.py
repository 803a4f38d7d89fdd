"""The benefits pages: lists (filters, masking, audit), the new-application form per scheme, the
application page with its actions by right, and the entitlement page with its instalments."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import Application, Attachment, Entitlement
from yiyang.benefits.services import attachment_add
from yiyang.benefits.tests.support import PAYEE, PDF, approved, startup_submitted, street_approved, submitted

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html_of(user, path: str, status: int = 200) -> str:
    response = client_of(user).get(path)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def startup_post(world, **extra):
    return {
        "scheme": "startup_subsidy",
        "organisation": str(world.orgs["institution0"].public_id),
        "fact_approved_beds": "60",
        "fact_premises": "own_building",
        "requested_from": "2026-11-01",
        **PAYEE,
        **extra,
    }


def test_the_list_masks_accounts_and_records_the_rows_shown(world):
    application = submitted(world)
    before = AuditEvent.objects.count()
    html = html_of(world.users["street0"], "/benefits/applications/")
    assert html.count('data-testid="benefit-row"') == 1
    assert re.findall(r'data-testid="payee-account">([^<]*)<', html) == ["6222***********3445"]
    assert PAYEE["payee_account"] not in html
    [event] = AuditEvent.objects.filter(pk__gt=before, action="view")
    assert (event.entity_type, event.record_ids) == ("benefit_application", [str(application.public_id)])


def test_the_list_filters_and_refuses_an_unknown_status(world):
    submitted(world)
    startup_submitted(world)
    html = html_of(world.users["street0"], "/benefits/applications/?scheme=startup_subsidy")
    assert html.count('data-testid="benefit-row"') == 1
    assert "一次性开办补助" in html
    html_of(world.users["street0"], "/benefits/applications/?status=nope", status=400)
    html_of(world.users["street0"], f"/benefits/applications/?street={world.streets[1].public_id}", status=404)


def test_the_queue_tabs_follow_the_rights(world):
    submitted(world)
    html = html_of(world.users["street0"], "/benefits/applications/")
    assert 'data-testid="queue-street_review"' in html and 'data-testid="queue-district_decision"' not in html
    html = html_of(world.users["street0"], "/benefits/applications/?queue=street_review")
    assert html.count('data-testid="benefit-row"') == 1
    assert 'data-testid="queues"' not in html_of(world.users["family0"], "/benefits/applications/")


def test_the_new_form_offers_family_only_the_resident_subsidy(world):
    html = html_of(world.users["family0"], "/benefits/applications/new/")
    choice = re.search(r'data-testid="scheme-choice".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)"', choice) == ["resident_care_subsidy"]
    html = html_of(world.users["family0"], "/benefits/applications/new/?scheme=resident_care_subsidy")
    elder = re.search(r'<select name="elder".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', elder) == [
        ("", "请选择"), (str(world.elders["elder0"].public_id), "elder0老人"),
    ]  # fmt: skip
    # A scheme family members may not apply for shows the chooser only.
    assert 'name="organisation"' not in html_of(
        world.users["family0"], "/benefits/applications/new/?scheme=startup_subsidy"
    )


def test_the_new_form_asks_each_schemes_facts(world):
    html = html_of(world.users["institution0"], "/benefits/applications/new/?scheme=startup_subsidy")
    assert re.findall(r'name="(fact_[a-z_]+)"', html) == ["fact_approved_beds", "fact_premises", "fact_lease_years"]
    html = html_of(world.users["institution0"], "/benefits/applications/new/?scheme=care_worker_entry_award")
    assert {"worker_name", "worker_national_id", "fact_education", "fact_years_of_service"} <= set(
        re.findall(r'name="([a-z_]+)"', html)
    )
    html = html_of(world.users["institution0"], "/benefits/applications/new/?scheme=bed_operation_subsidy")
    assert "fact_" not in html


def test_submitting_the_form_with_an_attachment(world):
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    response = client_of(world.users["institution0"]).post(
        "/benefits/applications/new/?scheme=startup_subsidy", {**startup_post(world), "attachments": [upload]}
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/benefits/applications/{application.public_id}/"
    assert application.facts == {"approved_beds": 60, "premises": "own_building"}
    assert Attachment.objects.get().name == "营业执照.pdf"


def test_a_refused_fact_is_shown_at_its_field_and_nothing_is_saved(world):
    response = client_of(world.users["institution0"]).post(
        "/benefits/applications/new/?scheme=startup_subsidy", startup_post(world, fact_approved_beds="10")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert re.findall(r'data-testid="error-fact_approved_beds">([^<]*)<', html) == ["核定床位 10 张，少于 50 张的下限"]
    assert re.search(r'<input type="number" name="fact_approved_beds"[^>]*is-invalid', html)
    assert not Application.objects.exists()


def test_a_bad_attachment_refuses_the_whole_submission(world):
    upload = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    response = client_of(world.users["institution0"]).post(
        "/benefits/applications/new/?scheme=startup_subsidy", {**startup_post(world), "attachments": [upload]}
    )
    assert response.status_code == 400
    assert re.findall(r'data-testid="error-attachments">([^<]*)<', response.content.decode()) == [
        "只接受 PDF、JPG 或 PNG 文件"
    ]
    assert not Application.objects.exists()


def test_the_application_page_shows_facts_attachments_history_and_the_actions_by_right(world):
    application = startup_submitted(world)
    attachment_add(actor=world.users["institution0"], application=application, name="执照.pdf", content=PDF)
    path = f"/benefits/applications/{application.public_id}/"
    html = html_of(world.users["street0"], path)
    assert re.findall(r"<dt class=\"col-sm-5\">([^<]*)</dt><dd class=\"col-sm-7\">([^<]*)</dd>", html) == [
        ("核定床位（张）", "60"), ("用房性质", "自建用房"),
    ]  # fmt: skip
    assert html.count('data-testid="attachment-row"') == 1
    assert 'data-testid="review-actions"' in html and 'data-testid="decide-actions"' not in html
    assert re.search(r'data-testid="payee-account">6222\*{11}3445<', html) and PAYEE["payee_account"] not in html
    own = html_of(world.users["institution0"], path)
    assert 'data-testid="review-actions"' not in own and 'data-testid="withdraw-action"' in own
    street_approved(world, application)
    html = html_of(world.users["bureau"], path)
    assert 'data-testid="decide-actions"' in html and 'data-testid="review-actions"' not in html
    assert "街道审核通过" in html and "材料齐全" in html


def test_review_and_decision_through_the_pages(world):
    application = startup_submitted(world)
    path = f"/benefits/applications/{application.public_id}/"
    street = client_of(world.users["street0"])
    response = street.post(path + "review/", {"decision": "refuse", "reason": ""})
    assert response.status_code == 302
    assert Application.objects.get().status == "submitted"
    assert '<div class="alert alert-danger">请填写不予通过原因</div>' in street.get(path).content.decode()
    street.post(path + "review/", {"decision": "approve", "note": "齐全"})
    response = client_of(world.users["bureau"]).post(path + "decide/", {"decision": "approve"})
    assert response["Location"] == path
    entitlement = Entitlement.objects.get()
    html = html_of(world.users["bureau"], f"/benefits/entitlements/{entitlement.public_id}/")
    assert re.findall(r'<td class="text-end font-monospace">([^<]*)</td>', html) == ["180000.00"]
    assert 'data-testid="end-action"' in html
    assert 'data-testid="end-action"' not in html_of(
        world.users["street0"], f"/benefits/entitlements/{entitlement.public_id}/"
    )


def test_an_officer_ends_an_entitlement_on_its_page(world):
    entitlement = Entitlement.objects.get(application=approved(world, submitted(world)))
    path = f"/benefits/entitlements/{entitlement.public_id}/"
    response = client_of(world.users["bureau"]).post(path + "end/", {"reason": "机构关闭", "ends_on": "2026-12-31"})
    assert response["Location"] == path
    entitlement.refresh_from_db()
    assert (entitlement.status, str(entitlement.ends_on), entitlement.stop_reason) == ("ended", "2026-12-31", "officer")


def test_the_applicant_withdraws_on_the_page(world):
    application = submitted(world)
    client_of(world.users["family0"]).post(f"/benefits/applications/{application.public_id}/withdraw/")
    assert Application.objects.get().status == "withdrawn"


def test_an_attachment_downloads_from_the_page(world):
    application = submitted(world)
    attachment = attachment_add(actor=world.users["family0"], application=application, name="a.pdf", content=PDF)
    response = client_of(world.users["street0"]).get(
        f"/benefits/applications/{application.public_id}/attachments/{attachment.public_id}/"
    )
    assert (response.status_code, response.content, response["Content-Type"]) == (200, PDF, "application/pdf")


def test_the_entitlement_list_masks_accounts(world):
    approved(world, submitted(world))
    html = html_of(world.users["family0"], "/benefits/entitlements/")
    assert re.findall(r'data-testid="payee-account">([^<]*)<', html) == ["6222***********3445"]
