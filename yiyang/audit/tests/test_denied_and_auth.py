"""Refused and not-found answers to signed-in users, and every sign-in event, are recorded."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.accounts import signals
from yiyang.audit.models import AuditAction, AuditEvent
from yiyang.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_another_streets_elder_by_api_leaves_a_deny_event(world):
    other = world.elders["elder1"]
    response = api_as(world.users["street0"]).get(f"/api/v1/elders/{other.public_id}/", HTTP_USER_AGENT="probe")

    assert response.status_code == 404
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_label, event.entity_type, event.entity_id) == (
        AuditAction.DENY,
        "street0",
        "request",
        str(other.public_id),
    )
    assert (event.method, event.status_code, event.path) == ("GET", 404, f"/api/v1/elders/{other.public_id}/")
    assert event.summary == "未找到或无权访问（404）：api-elder-detail"
    assert event.user_agent == "probe"
    assert event.district_id == world.district.pk


def test_another_streets_elder_page_leaves_a_deny_event(world):
    client = Client()
    client.force_login(world.users["street0"])
    other = world.elders["elder1"]

    assert client.get(f"/elders/{other.public_id}/").status_code == 404

    event = AuditEvent.objects.get(action=AuditAction.DENY)
    assert (event.entity_id, event.status_code, event.method) == (str(other.public_id), 404, "GET")


def test_a_forbidden_answer_is_recorded_with_its_status(world):
    response = api_as(world.users["station0"]).get("/api/v1/audit-events/")

    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert (event.action, event.status_code, event.entity_id) == (AuditAction.DENY, 403, "")
    assert event.summary == "拒绝访问（403）：api-audit-list"


def test_anonymous_and_asset_misses_are_not_recorded(world):
    assert APIClient().get(f"/api/v1/elders/{world.elders['elder1'].public_id}/").status_code in (401, 403)
    client = Client()
    client.force_login(world.users["street0"])
    assert client.get("/static/missing.css").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DENY).exists()


def test_login_success_failure_and_logout_are_recorded(world):
    client = Client()
    client.post("/login/", {"username": "street0", "password": "wrong-password-1"}, REMOTE_ADDR="10.1.2.3")
    client.post("/login/", {"username": "nobody", "password": "wrong-password-2"})
    client.post("/login/", {"username": "street0", "password": PASSWORD})
    client.post("/logout/")

    events = list(AuditEvent.objects.order_by("sequence"))
    user = world.users["street0"]
    assert [(e.action, e.actor_label, e.entity_id) for e in events] == [
        (AuditAction.LOGIN_FAILED, "street0", str(user.public_id)),
        (AuditAction.LOGIN_FAILED, "nobody", ""),
        (AuditAction.LOGIN, "street0", str(user.public_id)),
        (AuditAction.LOGOUT, "street0", str(user.public_id)),
    ]
    assert events[0].ip_address == "10.1.2.3"
    assert events[0].actor_id is None and events[2].actor_id == user.pk
    assert events[0].summary == "登录失败：用户名“street0”"
    assert events[1].summary == "登录失败：用户名“nobody”（无此账号）"
    assert events[0].district_id == world.district.pk and events[1].district_id is None
    stored = repr(list(AuditEvent.objects.values()))
    assert "wrong-password" not in stored and PASSWORD not in stored


def test_a_long_typed_username_is_cut_to_150(world):
    Client().post("/login/", {"username": "u" * 400, "password": "x"})
    event = AuditEvent.objects.get()
    assert event.actor_label == "u" * 150


def test_accounts_signals_are_recorded(world):
    officer, user = world.users["bureau"], world.users["street0"]
    signals.account_locked_out.send(
        None, username="street0", user=user, ip_address="10.0.0.9", reason="连续5次密码错误"
    )
    signals.account_unlocked.send(None, user=user, by=officer)
    signals.second_factor_failed.send(None, user=user, ip_address=None)
    signals.second_factor_reset.send(None, user=user, by=officer)
    signals.password_changed.send(None, user=user, by=None)

    rows = list(AuditEvent.objects.order_by("sequence").values_list("action", "actor_label", "entity_id", "summary"))
    uid = str(user.public_id)
    assert rows == [
        ("lockout", "street0", uid, "账号锁定：用户名“street0”；连续5次密码错误"),
        ("unlock", "bureau", uid, "解除锁定：street0"),
        ("mfa_failed", "street0", uid, "二次验证码错误"),
        ("mfa_reset", "bureau", uid, "重置二次验证：street0"),
        ("password_change", "street0", uid, "修改密码：street0（本人）"),
    ]
    assert set(AuditEvent.objects.values_list("district_id", flat=True)) == {world.district.pk}


def test_the_audit_log_shows_and_filters_the_new_actions(world):
    api_as(world.users["street0"]).get(f"/api/v1/elders/{world.elders['elder1'].public_id}/")
    bureau = api_as(world.users["bureau"])

    body = bureau.get("/api/v1/audit-events/", {"action": "deny"}).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert (row["action"], row["method"], row["status_code"], row["record_ids"]) == ("deny", "GET", 404, [])
    client = Client()
    client.force_login(world.users["bureau"])
    page = client.get("/audit/", {"action": "deny"}).content.decode()
    assert "拒绝访问" in page and "404" in page


def test_a_real_lockout_is_recorded_in_words(world, settings):
    settings.YIYANG_LOCKOUT_ACCOUNT_FAILURES = 5
    for _ in range(5):
        Client().post("/login/", {"username": "street0", "password": "wrong-password"})
    [summary] = AuditEvent.objects.filter(action="lockout").values_list("summary", flat=True)
    assert summary == "账号锁定：用户名“street0”；该用户名连续登录失败次数过多"
