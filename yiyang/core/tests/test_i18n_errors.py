"""Domain errors speak the user's language; the audit log is always Chinese.

Validation reasons are translated when they are raised, in the language of the request. Audit
summaries are stored, so they are written in Chinese even while the user has chosen English."""

import re

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.core.testing import World, national_id
from yiyang.organisations.models import Bed
from yiyang.organisations.services import bed_set_state

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def restore_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def session_client(user, language: str | None = None) -> APIClient:
    client = APIClient()
    client.force_login(user)
    if language is not None:
        assert client.post("/i18n/setlang/", {"language": language}).status_code == 302
    return client


def bad_check_digit_payload(world: World) -> dict[str, str]:
    good = national_id(101)
    wrong_last = "0" if good[17] != "0" else "1"
    return {
        "name": "王秀英",
        "national_id": good[:17] + wrong_last,
        "community": str(world.communities[0][1].public_id),
    }


def national_id_reason(response) -> str:
    assert response.status_code == 400, response.content
    reasons = [e["reason"] for e in response.json()["errors"] if e["field"] == "national_id"]
    assert len(reasons) == 1, response.json()
    return reasons[0]


def test_a_validation_reason_is_english_once_english_is_chosen(world: World) -> None:
    client = session_client(world.users["street0"], "en")

    response = client.post("/api/v1/elders/", bad_check_digit_payload(world), format="json")

    reason = national_id_reason(response)
    assert not CJK.search(reason), reason
    assert reason.startswith("Wrong national ID check character: the last character should be ")
    assert not CJK.search(response.json()["detail"]), response.json()


def test_the_same_reason_is_chinese_by_default(world: World) -> None:
    client = session_client(world.users["street0"])
    payload = bad_check_digit_payload(world)

    response = client.post("/api/v1/elders/", payload, format="json")

    expected = national_id(101)[17]
    assert national_id_reason(response) == f"身份证号校验码错误：末位应为{expected}，实为{payload['national_id'][17]}"
    assert response.json()["detail"] == "老年人信息有误"


def test_a_not_found_title_follows_the_language(world: World) -> None:
    missing = "/api/v1/beds/00000000-0000-0000-0000-000000000000/state/"

    english = session_client(world.users["institution0"], "en").post(missing, {"state": "reserved"}, format="json")
    chinese = session_client(world.users["institution0"]).post(missing, {"state": "reserved"}, format="json")

    assert (english.status_code, chinese.status_code) == (404, 404)
    assert not CJK.search(english.json()["detail"]), english.json()
    assert CJK.search(chinese.json()["detail"]), chinese.json()


def test_a_bed_state_change_made_in_english_is_audited_in_chinese(world: World) -> None:
    bed = Bed.objects.filter(organisation=world.orgs["institution0"], state="free").order_by("number")[0]
    client = session_client(world.users["institution0"], "en")

    response = client.post(f"/api/v1/beds/{bed.public_id}/state/", {"state": "reserved"}, format="json")

    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(entity_type="bed", entity_id=str(bed.public_id))
    assert event.summary == f"床位 {bed.label} 状态改为预留"


def test_a_service_called_in_english_still_audits_in_chinese(world: World) -> None:
    bed = Bed.objects.filter(organisation=world.orgs["institution0"], state="free").order_by("number")[0]

    with translation.override("en"):
        bed_set_state(actor=world.users["institution0"], bed=bed, state="unavailable")

    event = AuditEvent.objects.get(entity_type="bed", entity_id=str(bed.public_id))
    assert event.summary == f"床位 {bed.label} 状态改为停用"
    assert not re.search(r"[A-Za-z]", event.summary.replace(bed.label, ""))
