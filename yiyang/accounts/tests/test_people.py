"""Accounts as people: the one way a person who acted is named (name, qualification number, the
organisation beside), and where officers edit the name and qualification number.

Defect: assessors, reviewers and audit actors were shown by their account (e.g. "station_haitian"),
not as the person who did the work."""

import re

import pytest
from django.template import Context, Template
from django.test import Client
from rest_framework.test import APIClient

from yiyang.accounts.errors import StaffNotFound
from yiyang.accounts.models import User
from yiyang.accounts.selectors import person_label, person_name, person_snapshot, snapshot_label
from yiyang.accounts.services import staff_profile_change
from yiyang.assessments.tests.support import confirmed
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def named(user: User, full_name: str, number: str = "") -> User:
    user.full_name, user.qualification_number = full_name, number
    user.save(update_fields=["full_name", "qualification_number"])
    return user


def page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- the label -------------------------------------------------------------------------------------


def test_a_person_is_named_with_qualification_and_organisation(world):
    medical = named(world.users["medical0"], "王建国", "350203-2024-017")
    assert person_label(medical) == f"王建国（证书编号 350203-2024-017） · {medical.organisation.name}"


def test_without_organisation_the_area_stands_beside_and_without_number_only_the_name(world):
    street = named(world.users["street0"], "张丽")
    assert person_label(street) == f"张丽 · {street.area.name}"


def test_an_account_without_name_or_place_falls_back_to_the_username(world):
    family = named(world.users["family0"], "")
    assert person_name(family) == "family0"
    assert person_label(family) == "family0"
    assert person_label(None) == "" and person_name(None) == ""


def test_a_snapshot_keeps_the_person_as_they_were(world):
    medical = named(world.users["medical0"], "王建国", "A-1")
    snapshot = person_snapshot(medical)
    named(medical, "改名后", "B-2")
    assert snapshot_label(snapshot) == f"王建国（证书编号 A-1） · {medical.organisation.name}"
    assert snapshot_label({}) == ""


def test_the_template_filters(world):
    medical = named(world.users["medical0"], "王建国", "A-1")
    rendered = Template(
        "{% load people %}{{ u|person }}|{{ u|person_name }}|{{ nobody|person|default:'—' }}|{{ snap|signed:u }}"
    ).render(Context({"u": medical, "nobody": None, "snap": {"name": "旧名", "organisation": "旧机构"}}))
    assert rendered == f"王建国（证书编号 A-1） · {medical.organisation.name}|王建国|—|旧名 · 旧机构"


# --- editing ---------------------------------------------------------------------------------------


def test_an_officer_names_a_person_and_sets_the_qualification_number(world):
    account = staff_profile_change(
        actor=world.users["bureau"],
        account=world.users["street0"],
        full_name="  张  丽 ",
        qualification_number=" 350203-2024-017 ",
    )
    account.refresh_from_db()
    assert (account.full_name, account.qualification_number) == ("张 丽", "350203-2024-017")
    event = AuditEvent.objects.get(entity_type="user", action="change", entity_id=str(account.public_id))
    assert event.fields == ["full_name", "qualification_number"]
    assert "张" not in event.summary and "350203" not in event.summary


def test_every_problem_is_reported_and_nothing_written(world):
    account = world.users["street0"]
    with pytest.raises(ValidationFailed) as caught:
        staff_profile_change(
            actor=world.users["bureau"], account=account, full_name="张\u200b丽", qualification_number="9" * 33
        )
    assert sorted(e.field for e in caught.value.errors) == ["full_name", "qualification_number"]
    account.refresh_from_db()
    assert (account.full_name, account.qualification_number) == ("street0", "")


def test_an_unchanged_profile_writes_nothing(world):
    account = world.users["street0"]
    staff_profile_change(actor=world.users["bureau"], account=account, full_name="street0", qualification_number="")
    assert not AuditEvent.objects.filter(entity_type="user", action="change").exists()


def test_an_account_outside_the_district_is_not_found(world):
    other = User.objects.create_user(username="elsewhere", password="x", role="street_staff")
    with pytest.raises(StaffNotFound):
        staff_profile_change(actor=world.users["bureau"], account=other, full_name="某人")


def test_the_staff_page_edits_the_person(world):
    account = world.users["street0"]
    response = page(world.users["bureau"]).post(
        f"/staff/{account.public_id}/profile/", {"full_name": "张丽", "qualification_number": "350203-2024-017"}
    )
    assert response.status_code == 302
    detail = page(world.users["bureau"]).get(f"/staff/{account.public_id}/").content.decode()
    assert 'data-testid="staff-qualification-number">350203-2024-017<' in detail
    assert f"张丽（证书编号 350203-2024-017） · {account.area.name}" in detail


def test_a_bad_qualification_number_is_shown_next_to_its_input(world):
    account = world.users["street0"]
    response = page(world.users["bureau"]).post(
        f"/staff/{account.public_id}/profile/", {"full_name": "张丽", "qualification_number": "9" * 33}
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(r'<input[^>]*id="profile-qualification-number"[^>]*>\s*<div[^>]*>([^<]*)</div>', html)
    assert field is not None and "is-invalid" in field.group(0)
    assert "32" in field.group(1)
    assert 'value="张丽"' in html  # what was typed stays
    account.refresh_from_db()
    assert account.full_name == "street0"


def test_the_api_reads_and_edits_the_person(world):
    account = world.users["medical0"]
    client = api(world.users["bureau"])
    response = client.patch(
        f"/api/v1/users/{account.public_id}/", {"full_name": "王建国", "qualification_number": "A-1"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["full_name"], body["qualification_number"]) == ("王建国", "A-1")
    assert body["label"] == f"王建国（证书编号 A-1） · {account.organisation.name}"
    assert body["role"] == "medical_staff"  # the placement is left as it was


def test_the_api_refuses_a_bad_qualification_number(world):
    account = world.users["medical0"]
    response = api(world.users["bureau"]).patch(
        f"/api/v1/users/{account.public_id}/", {"qualification_number": "A\u0007"}, format="json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["qualification_number"]


def test_an_account_is_created_with_its_qualification_number(world):
    response = api(world.users["bureau"]).post(
        "/api/v1/users/",
        {
            "username": "zhangli",
            "password": "Strong-pass-9",
            "full_name": "张丽",
            "qualification_number": "350203-2024-017",
            "role": "street_staff",
            "area": str(world.streets[0].public_id),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert User.objects.get(username="zhangli").qualification_number == "350203-2024-017"


# --- where people are shown ------------------------------------------------------------------------


def test_assessment_pages_name_assessor_and_reviewer_as_people(world):
    assessor = named(world.users["street0"], "张丽", "350203-2024-017")
    reviewer = named(world.users["medical0"], "王建国", "A-1")
    record = confirmed(world)
    viewer = page(world.users["street0"])
    detail = viewer.get(f"/assessments/{record.public_id}/").content.decode()
    listing = viewer.get("/assessments/").content.decode()
    assert f'data-testid="assessor">张丽（证书编号 350203-2024-017） · {assessor.area.name}<' in detail
    assert f'data-testid="reviewer">王建国（证书编号 A-1） · {reviewer.organisation.name}<' in detail
    assert f'data-testid="assessor">张丽（证书编号 350203-2024-017） · {assessor.area.name}<' in listing


def test_a_signed_record_keeps_the_name_it_was_signed_with(world):
    named(world.users["medical0"], "王建国", "A-1")
    record = confirmed(world)
    named(world.users["medical0"], "改名后", "B-2")
    detail = page(world.users["street0"]).get(f"/assessments/{record.public_id}/").content.decode()
    assert "王建国（证书编号 A-1）" in detail and "改名后" not in detail


def test_the_audit_log_shows_the_actor_by_name_and_username(world):
    named(world.users["street0"], "张丽")
    staff_profile_change(actor=world.users["bureau"], account=world.users["street0"], qualification_number="A-1")
    named(world.users["bureau"], "李局长")
    html = page(world.users["bureau"]).get("/audit/").content.decode()
    cells = [text_of(c) for c in re.findall(r'<td data-testid="actor">(.*?)</td>', html, re.S)]
    assert "李局长 bureau" in cells


def test_the_assessments_api_names_assessor_and_reviewer_as_people(world):
    assessor = named(world.users["street0"], "张丽", "350203-2024-017")
    named(world.users["medical0"], "王建国", "A-1")
    record = confirmed(world)
    named(world.users["medical0"], "改名后", "B-2")
    body = api(world.users["street0"]).get(f"/api/v1/assessments/{record.public_id}/").json()
    assert body["assessor"]["name"] == "张丽"
    assert body["assessor"]["qualification_number"] == "350203-2024-017"
    assert body["assessor"]["label"] == f"张丽（证书编号 350203-2024-017） · {assessor.area.name}"
    assert body["reviewer"]["name"] == "改名后"  # the account as it is now
    assert body["reviewer_signed"].startswith("王建国（证书编号 A-1）")  # as it signed


def test_the_admin_edits_the_qualification_number():
    from django.contrib import admin

    from yiyang.accounts.admin import UserAdmin

    fields = [f for _, options in UserAdmin(User, admin.site).fieldsets for f in options["fields"]]
    assert "qualification_number" in fields
