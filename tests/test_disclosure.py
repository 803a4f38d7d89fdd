"""Least data: which full values each role sees on a record (accounts.disclosure), the same in the
API, the record page and the 120 hand-off sheet, and what the read's audit event says."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.accounts.choices import Role
from yiyang.accounts.disclosure import DISCLOSED, Value, disclosure_for
from yiyang.audit.models import AuditEvent
from yiyang.core.masking import mask_national_id, mask_phone
from yiyang.core.testing import World

OWN = "13911110000"  # family0's own number, also one of elder0's emergency contacts
OTHER = "13922220000"  # another emergency contact (a sibling)
MEMBER = "13933330000"  # a household member
NOTES = "糖尿病，注射胰岛素"
ADDRESS = "幸福路8号3单元"


@pytest.fixture
def record(world: World) -> World:
    from yiyang.elders.models import EmergencyContact, Home, HomeMember

    elder = world.elders["elder0"]
    home = Home.objects.create(address=ADDRESS, community=elder.community, street=elder.street, district=elder.district)
    HomeMember.objects.create(home=home, name="同住人", relation="配偶", phone=MEMBER)
    elder.home = home
    elder.notes = NOTES
    elder.save(update_fields=["home", "notes"])
    EmergencyContact.objects.create(elder=elder, name="家属本人", relation="女儿", phone=OWN, priority=1)
    EmergencyContact.objects.create(elder=elder, name="其他子女", relation="儿子", phone=OTHER, priority=2)
    family = world.users["family0"]
    family.phone = OWN
    family.save(update_fields=["phone"])
    return world


def api_detail(world: World, username: str) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(world.users[username])
    response = client.get(f"/api/v1/elders/{world.elders['elder0'].public_id}/")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def contact_phones(body: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["phone"] for c in body["emergency_contacts"]}


def test_staff_see_the_record_in_full(record):
    elder = record.elders["elder0"]
    body = api_detail(record, "street0")
    assert (body["national_id"], body["phone"], body["notes"]) == (elder.national_id, elder.phone, NOTES)
    assert contact_phones(body) == {"家属本人": OWN, "其他子女": OTHER}
    assert body["home"]["address"] == ADDRESS
    assert body["masked"] == []


def test_a_helper_sees_the_national_id_masked_and_what_a_visit_or_a_call_needs(record):
    elder = record.elders["elder0"]
    body = api_detail(record, "helper0")
    assert body["national_id"] == mask_national_id(elder.national_id)
    assert elder.national_id not in str(body)
    assert body["phone"] == elder.phone  # they call the elder
    assert contact_phones(body) == {"家属本人": OWN, "其他子女": OTHER}  # and the family in an emergency
    assert (body["home"]["address"], body["notes"]) == (ADDRESS, NOTES)
    assert body["masked"] == ["member_phones", "national_id"]


def test_a_family_member_sees_their_own_contact_details_only(record):
    elder = record.elders["elder0"]
    body = api_detail(record, "family0")
    assert body["national_id"] == mask_national_id(elder.national_id)
    assert contact_phones(body) == {"家属本人": OWN, "其他子女": mask_phone(OTHER)}
    assert OTHER not in str(body) and elder.national_id not in str(body)
    assert body["notes"] == ""  # staff's care notes are withheld
    assert body["phone"] == elder.phone and body["home"]["address"] == ADDRESS
    assert body["masked"] == ["contact_phones", "member_phones", "national_id", "notes"]


def test_a_family_member_without_a_phone_on_the_account_sees_every_contact_masked(record):
    family = record.users["family0"]
    family.phone = ""
    family.save(update_fields=["phone"])
    body = api_detail(record, "family0")
    assert contact_phones(body) == {"家属本人": mask_phone(OWN), "其他子女": mask_phone(OTHER)}


def test_the_contacts_api_follows_the_same_policy(record):
    client = APIClient()
    client.force_authenticate(record.users["family0"])
    rows = client.get(f"/api/v1/elders/{record.elders['elder0'].public_id}/contacts/").json()
    assert {r["name"]: r["phone"] for r in rows} == {"家属本人": OWN, "其他子女": mask_phone(OTHER)}


@pytest.mark.parametrize(
    ("username", "full_id", "shown", "hidden"),
    [
        ("street0", True, [OWN, OTHER, MEMBER, NOTES, ADDRESS], []),
        ("helper0", False, [OWN, OTHER, NOTES, ADDRESS], [MEMBER]),
        ("family0", False, [OWN, ADDRESS], [OTHER, MEMBER, NOTES]),
    ],
)
def test_the_record_page_follows_the_policy(record, username, full_id, shown, hidden):
    elder = record.elders["elder0"]
    client = Client()
    client.force_login(record.users[username])
    response = client.get(f"/elders/{elder.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (elder.national_id in html) is full_id
    assert mask_national_id(elder.national_id) in html or full_id
    for value in shown:
        assert value in html, value
    for value in hidden:
        assert value not in html, value


@pytest.mark.parametrize(("username", "full"), [("street0", True), ("helper0", False), ("family0", False)])
def test_the_audit_event_of_a_record_read_says_whether_identifiers_were_shown_in_full(record, username, full):
    api_detail(record, username)
    event = AuditEvent.objects.get(action="view", entity_type="elder", entity_id=str(record.elders["elder0"].public_id))
    assert (event.fields == ["national_id", "phone"]) is full


def test_the_handoff_sheet_follows_the_policy(record):
    from yiyang.alerts.models import Alert
    from yiyang.alerts.services import alert_handoff_sheet, alerts_apply
    from yiyang.alerts.tests.support import raise_cmd

    alerts_apply([raise_cmd(record.elders["elder0"])])
    alert = Alert.objects.get(elder=record.elders["elder0"])
    for username, other in (("street0", OTHER), ("helper0", OTHER)):
        sheet = alert_handoff_sheet(actor=record.users[username], alert=alert)
        assert [c["phone"] for c in sheet["contacts"]] == [OWN, other]
    from yiyang.core.testing import grant_permissions

    family = grant_permissions(record.users["family0"], "alerts.handle")
    sheet = alert_handoff_sheet(actor=family, alert=alert)
    assert [c["phone"] for c in sheet["contacts"]] == [OWN, mask_phone(OTHER)]


def test_every_role_has_a_row_in_the_policy_and_only_staff_see_national_ids():
    assert set(DISCLOSED) == set(Role.values)
    assert {role for role, values in DISCLOSED.items() if Value.NATIONAL_ID in values} == set(Role.values) - {
        Role.HELPER,
        Role.FAMILY,
    }


def test_an_anonymous_or_inactive_account_sees_nothing_in_full(world):
    from django.contrib.auth.models import AnonymousUser

    assert disclosure_for(AnonymousUser()).full == frozenset()
    account = world.users["street0"]
    account.is_active = False
    assert disclosure_for(account).full == frozenset()


def test_a_record_view_is_audited_as_the_role_saw_it_by_default(record):
    from yiyang.elders.services import elder_record_view

    elder = record.elders["elder0"]
    elder_record_view(actor=record.users["helper0"], elder=elder)
    elder_record_view(actor=record.users["street0"], elder=elder)
    views = list(AuditEvent.objects.filter(action="view", entity_id=str(elder.public_id)).order_by("sequence"))
    assert [(e.actor_label, e.fields) for e in views] == [("helper0", []), ("street0", ["national_id", "phone"])]
