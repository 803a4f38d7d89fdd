"""Sign-in security: throttling and lockout, officer unlock, password rules and expiry, session
timeouts, TOTP second factor, and the signals the audit app records."""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.accounts import signals, totp
from yiyang.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from yiyang.accounts.models import LoginFailure, LoginLock, PasswordHistory, SecondFactor, User
from yiyang.core.testing import PASSWORD

TOKEN = "/api/v1/auth/token/"
LOCK_TEXT = "登录失败次数过多"


@contextmanager
def caught(*sigs):
    """Collect what the signals send (a test-only receiver; the audit app has the real ones)."""
    seen: list[tuple[str, dict]] = []
    receivers = []
    for sig in sigs:

        def receiver(sender, _sig=sig, **kwargs):
            seen.append((_name(_sig), kwargs))

        sig.connect(receiver, weak=False)
        receivers.append((sig, receiver))
    try:
        yield seen
    finally:
        for sig, receiver in receivers:
            sig.disconnect(receiver)


def _name(sig) -> str:
    for name in (
        "account_locked_out",
        "account_unlocked",
        "second_factor_failed",
        "second_factor_reset",
        "password_changed",
    ):
        if getattr(signals, name) is sig:
            return name
    return {id(user_logged_in): "user_logged_in", id(user_logged_out): "user_logged_out"}.get(
        id(sig), "user_login_failed"
    )


def form_login(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1", **extra)


def code_now(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, time.time() + offset * totp.STEP_SECONDS)


# --- TOTP against the RFCs -----------------------------------------------------------------------

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_sha1_vectors(unix_time, code):
    assert totp.totp(RFC_KEY, unix_time, digits=8) == code


def test_hotp_matches_rfc_4226_vectors():
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(RFC_KEY, counter) for counter in range(10)] == expected


def test_totp_match_accepts_one_step_of_drift_and_never_an_earlier_step():
    secret = totp.new_secret()
    now = 1_700_000_000
    step = totp.time_step(now)
    assert totp.totp_match(secret, totp.code_at(secret, now), now) == step
    assert totp.totp_match(secret, totp.code_at(secret, now - 30), now) == step - 1
    assert totp.totp_match(secret, totp.code_at(secret, now - 90), now) is None
    # replay: the step already accepted is refused
    assert totp.totp_match(secret, totp.code_at(secret, now), now, after_step=step) is None
    assert totp.totp_match(secret, "12a456", now) is None


# --- throttling and lockout ----------------------------------------------------------------------


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_page(world):
    client = Client()
    with caught(signals.account_locked_out, user_login_failed) as seen:
        for _ in range(30):
            form_login(client, "street0", "wrong-password")
        response = form_login(client, "street0", PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect into the site
    assert LOCK_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    locks = [kw for name, kw in seen if name == "account_locked_out"]
    assert len(locks) == 1
    assert locks[0]["username"] == "street0"
    assert locks[0]["user"] == world.users["street0"]
    assert locks[0]["reason"] == "account"
    assert locks[0]["ip_address"] == "10.0.0.1"
    # every refusal, including the right password while locked, is a failed login
    assert sum(1 for name, _ in seen if name == "user_login_failed") == 31


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_api(world):
    client = APIClient()
    for _ in range(30):
        client.post(TOKEN, {"username": "street0", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.2")
    response = client.post(TOKEN, {"username": "street0", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    body = response.json()
    assert body["status"] == 429
    assert body["errors"][0]["code"] == "locked"
    assert "token" not in body


def test_the_lock_message_is_the_same_for_an_unknown_username(world):
    answers = {}
    for username in ("street0", "nobody-here"):
        client = APIClient()
        for _ in range(5):
            client.post(TOKEN, {"username": username, "password": "wrong-password"}, REMOTE_ADDR="10.0.0.3")
        response = client.post(TOKEN, {"username": username, "password": "wrong-password"}, REMOTE_ADDR="10.0.0.4")
        answers[username] = (response.status_code, response.json())
        page = form_login(Client(), username, "wrong-password")
        assert LOCK_TEXT in page.content.decode()
    assert answers["street0"] == answers["nobody-here"]
    assert answers["street0"][0] == 429


def test_four_failures_do_not_lock_and_a_success_clears_them(world):
    client = APIClient()
    for _ in range(4):
        client.post(TOKEN, {"username": "street0", "password": "wrong-password"})
    assert client.post(TOKEN, {"username": "street0", "password": PASSWORD}).status_code == 200
    assert not LoginFailure.objects.filter(username="street0").exists()
    for _ in range(4):
        client.post(TOKEN, {"username": "street0", "password": "wrong-password"})
    assert client.post(TOKEN, {"username": "street0", "password": PASSWORD}).status_code == 200


def test_an_address_with_too_many_failures_is_throttled_for_every_account(world):
    client = APIClient()
    with caught(signals.account_locked_out) as seen:
        for n in range(20):  # 20 different usernames, none of them locked
            client.post(TOKEN, {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    assert [kw["reason"] for _, kw in seen] == ["address"]
    assert seen[0][1]["ip_address"] == "10.9.9.9"
    refused = client.post(TOKEN, {"username": "street0", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429
    # another address is not affected
    assert client.post(TOKEN, {"username": "street0", "password": PASSWORD}, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_the_address_throttle_lifts_when_its_failures_leave_the_window(world, settings):
    client = APIClient()
    for n in range(20):
        client.post(TOKEN, {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.9.9.7")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=settings.YIYANG_LOCKOUT_WINDOW_MINUTES + 1))
    assert client.post(TOKEN, {"username": "street0", "password": PASSWORD}, REMOTE_ADDR="10.9.9.7").status_code == 200


def test_a_lock_ends_after_the_cool_off(world):
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN, {"username": "street0", "password": "wrong-password"})
    lock = LoginLock.objects.get(username="street0")
    assert lock.until is not None
    assert timedelta(minutes=29) < lock.until - lock.locked_at <= timedelta(minutes=30)
    LoginLock.objects.update(until=timezone.now() - timedelta(seconds=1))
    LoginFailure.objects.update(at=timezone.now() - timedelta(hours=1))
    assert client.post(TOKEN, {"username": "street0", "password": PASSWORD}).status_code == 200


def test_with_no_cool_off_only_an_officer_unlocks(world, settings):
    settings.YIYANG_LOCKOUT_MINUTES = 0
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN, {"username": "street0", "password": "wrong-password"})
    assert LoginLock.objects.get(username="street0").until is None
    LoginFailure.objects.update(at=timezone.now() - timedelta(days=30))
    assert client.post(TOKEN, {"username": "street0", "password": PASSWORD}).status_code == 429


def _lock(username: str) -> None:
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN, {"username": username, "password": "wrong-password"})
    assert LoginLock.objects.filter(username=username).exists()


def test_an_officer_sees_locked_accounts_of_the_district_and_unlocks_one_by_api(world):
    _lock("street0")
    _lock("nobody-here")  # a lock of a username without an account is never listed
    officer = APIClient()
    officer.force_authenticate(world.users["bureau"])
    listed = officer.get("/api/v1/auth/locks/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["username"] == "street0"
    assert listed["results"][0]["id"] == str(world.users["street0"].public_id)
    with caught(signals.account_unlocked) as seen:
        response = officer.post(f"/api/v1/users/{world.users['street0'].public_id}/unlock/")
    assert response.status_code == 200
    assert response.json() == {
        "locked": False,
        "locked_until": None,
        "second_factor_enrolled": False,
        "changed": True,
    }
    assert seen == [
        (
            "account_unlocked",
            {"user": world.users["street0"], "by": world.users["bureau"], "signal": signals.account_unlocked},
        )
    ]
    assert APIClient().post(TOKEN, {"username": "street0", "password": PASSWORD}).status_code == 200
    # a second unlock changes nothing and sends nothing
    with caught(signals.account_unlocked) as seen:
        assert officer.post(f"/api/v1/users/{world.users['street0'].public_id}/unlock/").json()["changed"] is False
    assert seen == []


def test_unlock_needs_accounts_manage_and_the_district(world):
    _lock("street0")
    url = f"/api/v1/users/{world.users['street0'].public_id}/unlock/"
    health = APIClient()
    health.force_authenticate(world.users["health_officer"])
    assert health.post(url).status_code == 403
    assert health.get("/api/v1/auth/locks/").status_code == 403
    street = APIClient()
    street.force_authenticate(world.users["street1"])
    assert street.post(url).status_code == 403
    assert LoginLock.objects.filter(username="street0").exists()


def test_an_officer_unlocks_on_the_staff_pages(world):
    _lock("street0")
    page = Client()
    page.force_login(world.users["bureau"])
    listing = page.get("/staff/").content.decode()
    assert 'data-testid="locked-row"' in listing
    detail = page.get(f"/staff/{world.users['street0'].public_id}/").content.decode()
    assert "登录已锁定" in detail
    response = page.post(f"/staff/{world.users['street0'].public_id}/unlock/", {"back": "list"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert not LoginLock.objects.exists()
    assert 'data-testid="locked-row"' not in page.get("/staff/").content.decode()


# --- password rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-1a", "password_too_short"),
        ("alllowercaseletters", "password_too_few_classes"),
        ("lowercase-only-dashes", "password_too_few_classes"),
        ("Street0-is-my-pass", "password_contains_username"),
        ("123456789012", "password_entirely_numeric"),
        ("Password1234", "password_too_common"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, User(username="street0"))
    assert code in {e.code for e in exc.value.error_list}


def test_the_username_as_password_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_password("Bureau-Officer-1", User(username="bureau-officer-1"))
    assert "password_contains_username" in {e.code for e in exc.value.error_list}


@pytest.mark.parametrize("username", ["bureau", "admin", "helper", "family", "street_huli"])
def test_the_demo_password_meets_the_rules(username):
    validate_password("yiyang-demo-2025", User(username=username))


def test_staff_create_applies_the_rules_with_the_username(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    response = client.post(
        "/api/v1/users/",
        {
            "username": "newstreet",
            "password": "Newstreet-2025",
            "full_name": "新人",
            "role": "street_staff",
            "area": str(world.streets[0].public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "password", "reason": "密码不能包含用户名", "code": "weak_password"}]


def test_a_recent_password_cannot_be_used_again(world):
    user = world.users["street0"]
    client = Client()
    client.force_login(user)
    for new in ("Second-pass-456", "Third-pass-789"):
        response = client.post(
            "/password/change/",
            {
                "old_password": user.password and (PASSWORD if new == "Second-pass-456" else "Second-pass-456"),
                "new_password": new,
                "new_password2": new,
            },
        )
        assert response.status_code == 302, response.content.decode()
    back = client.post(
        "/password/change/", {"old_password": "Third-pass-789", "new_password": PASSWORD, "new_password2": PASSWORD}
    )
    assert back.status_code == 400
    assert "不能使用最近5次用过的密码" in back.content.decode()
    # the two passwords replaced; the current one is checked on the account itself
    assert PasswordHistory.objects.filter(user=user).count() == 2


def test_changing_the_password_checks_the_old_one_and_sends_the_signal(world):
    user = world.users["street0"]
    client = Client()
    client.force_login(user)
    wrong = client.post(
        "/password/change/",
        {"old_password": "nope", "new_password": "Fresh-pass-4321", "new_password2": "Fresh-pass-4321"},
    )
    assert wrong.status_code == 400
    assert "原密码不正确" in wrong.content.decode()
    with caught(signals.password_changed) as seen:
        ok = client.post(
            "/password/change/",
            {"old_password": PASSWORD, "new_password": "Fresh-pass-4321", "new_password2": "Fresh-pass-4321"},
        )
    assert ok.status_code == 302
    assert [kw["user"] for _, kw in seen] == [user]
    assert seen[0][1]["by"] is None
    # still signed in (the session hash follows the new password)
    assert client.get("/").status_code == 200


# --- password expiry -----------------------------------------------------------------------------


def _age_password(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days))


def test_an_expired_password_must_be_changed_before_anything_else(world):
    user = world.users["street0"]
    _age_password(user, 91)
    client = Client()
    client.force_login(user)
    response = client.get("/elders/?q=a&page=2")
    assert response.status_code == 302
    assert response["Location"] == "/password/change/?next=%2Felders%2F%3Fq%3Da%26page%3D2"
    assert "您的密码已过期" in client.get("/password/change/").content.decode()
    assert client.get("/api/v1/me/").json()["errors"][0]["code"] == "password_expired"
    client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password": "Renewed-pass-2026", "new_password2": "Renewed-pass-2026"},
    )
    assert client.get("/elders/").status_code == 200


def test_an_expired_password_gets_no_token(world):
    _age_password(world.users["street0"], 91)
    response = APIClient().post(TOKEN, {"username": "street0", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "password_expired"


def test_expiry_off_and_a_fresh_password_do_not_expire(world, settings):
    user = world.users["street0"]
    _age_password(user, 89)
    client = Client()
    client.force_login(user)
    assert client.get("/elders/").status_code == 200
    settings.YIYANG_PASSWORD_MAX_AGE_DAYS = 0
    _age_password(user, 3650)
    assert client.get("/elders/").status_code == 200


# --- sessions ------------------------------------------------------------------------------------


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def _set_session(client: Client, **values: float) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_an_idle_session_is_signed_out(world):
    client = Client()
    client.force_login(world.users["street0"])
    assert client.get("/").status_code == 200
    _set_session(client, **{SESSION_SEEN: time.time() - 31 * 60})
    with caught(user_logged_out) as seen:
        response = client.get("/elders/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Felders%2F&expired=1"
    assert [kw["user"] for _, kw in seen] == [world.users["street0"]]
    assert client.get("/").status_code == 302
    assert "会话已超时" in client.get(response["Location"]).content.decode()


def test_an_active_session_ends_after_its_lifetime(world):
    client = Client()
    client.force_login(world.users["street0"])
    _set_session(client, **{SESSION_SEEN: time.time(), SESSION_STARTED: time.time() - 12 * 3600 - 1})
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "session_expired"


def test_a_session_within_both_limits_stays(world):
    client = Client()
    client.force_login(world.users["street0"])
    _set_session(client, **{SESSION_SEEN: time.time() - 29 * 60, SESSION_STARTED: time.time() - 11 * 3600})
    assert client.get("/").status_code == 200


# --- second factor -------------------------------------------------------------------------------


def _enrol(client: Client, username: str = "bureau") -> str:
    response = form_login(client, username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/login/verify/"
    page = client.get("/login/verify/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    secret = SecondFactor.objects.get(user__username=username).secret
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page.content.decode()
    return secret


def test_a_district_officer_enrols_and_signs_in_with_a_code(world):
    client = Client()
    secret = _enrol(client)
    assert "_auth_user_id" not in client.session  # not signed in after the password alone
    assert client.get("/").status_code == 302
    with caught(user_logged_in) as seen:
        response = client.post("/login/verify/", {"otp": code_now(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert [kw["user"] for _, kw in seen] == [world.users["bureau"]]
    assert client.get("/").status_code == 200
    assert SecondFactor.objects.get(user=world.users["bureau"]).confirmed_at is not None


def test_the_secret_is_never_shown_again_after_enrolment(world):
    client = Client()
    secret = _enrol(client)
    client.post("/login/verify/", {"otp": code_now(secret)})
    other = Client()
    form_login(other, "bureau", PASSWORD)
    page = other.get("/login/verify/").content.decode()
    assert secret[:8] not in page.replace(" ", "")
    assert "<svg" not in page
    assert 'data-testid="verify-title"' in page


def test_a_wrong_code_is_refused_signalled_and_counted(world):
    client = Client()
    _enrol(client)
    with caught(signals.second_factor_failed) as seen:
        response = client.post(
            "/login/verify/", {"otp": "000000" if code_now(SecondFactor.objects.get().secret) != "000000" else "111111"}
        )
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    assert [kw["user"] for _, kw in seen] == [world.users["bureau"]]
    assert LoginFailure.objects.filter(username="bureau").count() == 1


def test_wrong_codes_lock_the_account(world):
    client = Client()
    secret = _enrol(client)
    bad = "000000" if code_now(secret) != "000000" else "111111"
    for _ in range(4):
        assert client.post("/login/verify/", {"otp": bad}).status_code == 400
    response = client.post("/login/verify/", {"otp": bad})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    # even the right code and password are refused now
    assert LOCK_TEXT in form_login(Client(), "bureau", PASSWORD).content.decode()


def test_a_code_is_accepted_once(world):
    client = Client()
    secret = _enrol(client)
    code = code_now(secret)
    assert client.post("/login/verify/", {"otp": code}).status_code == 302
    again = Client()
    assert form_login(again, "bureau", PASSWORD)["Location"] == "/login/verify/"
    response = again.post("/login/verify/", {"otp": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in again.session


def test_the_verification_step_expires(world):
    client = Client()
    _enrol(client)
    session = client.session
    session["yiyang_2fa_at"] = time.time() - 301
    session.save()
    response = client.post("/login/verify/", {"otp": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/login/verify/")["Location"] == "/login/"


def test_the_verification_step_without_a_password_goes_back_to_login(world):
    assert Client().get("/login/verify/")["Location"] == "/login/"


def test_staff_without_accounts_manage_or_district_scope_sign_in_with_the_password(world):
    client = Client()
    response = form_login(client, "station0", PASSWORD)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not SecondFactor.objects.exists()


def test_the_token_needs_the_code_for_an_officer(world):
    client = APIClient()
    not_enrolled = client.post(TOKEN, {"username": "bureau", "password": PASSWORD})
    assert not_enrolled.status_code == 400
    assert not_enrolled.json()["errors"][0] == {
        "field": "otp",
        "reason": "该账号须先在网页登录并绑定动态口令",
        "code": "enrolment_required",
    }
    secret = _enrol(Client())
    SecondFactor.objects.update(confirmed_at=timezone.now())
    missing = client.post(TOKEN, {"username": "bureau", "password": PASSWORD})
    assert missing.json()["errors"][0]["code"] == "required"
    with caught(signals.second_factor_failed):
        wrong = client.post(TOKEN, {"username": "bureau", "password": PASSWORD, "otp": "12345x"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["code"] == "invalid_otp"
    with caught(user_logged_in) as seen:
        ok = client.post(TOKEN, {"username": "bureau", "password": PASSWORD, "otp": code_now(secret)})
    assert ok.status_code == 200
    assert set(ok.json()) == {"token"}
    assert [kw["user"] for _, kw in seen] == [world.users["bureau"]]


def test_the_token_endpoint_sends_login_failed_and_logged_in(world):
    with caught(user_login_failed, user_logged_in) as seen:
        APIClient().post(TOKEN, {"username": "street0", "password": "wrong-password"})
        APIClient().post(TOKEN, {"username": "street0", "password": PASSWORD})
    assert [name for name, _ in seen] == ["user_login_failed", "user_logged_in"]
    assert seen[0][1]["credentials"]["username"] == "street0"
    assert "password" not in seen[0][1]["credentials"] or seen[0][1]["credentials"]["password"] != "wrong-password"


def test_an_officer_resets_a_lost_second_factor(world):
    enrolling = Client()
    secret = _enrol(enrolling)
    assert enrolling.post("/login/verify/", {"otp": code_now(secret)}).status_code == 302
    assert SecondFactor.objects.get().confirmed_at is not None
    officer = APIClient()
    officer.force_authenticate(world.users["bureau"])
    target = world.users["bureau"]
    with caught(signals.second_factor_reset) as seen:
        response = officer.post(f"/api/v1/users/{target.public_id}/second-factor/reset/")
    assert response.status_code == 200
    assert response.json()["changed"] is True
    assert response.json()["second_factor_enrolled"] is False
    assert [(kw["user"], kw["by"]) for _, kw in seen] == [(target, world.users["bureau"])]
    # the next sign-in enrols again with a new secret
    assert _enrol(Client()) != secret


def test_second_factor_reset_on_the_staff_page(world):
    client = Client()
    secret = _enrol(client, "bureau")
    client.post("/login/verify/", {"otp": code_now(secret)})
    page = Client()
    page.force_login(world.users["bureau"])
    url = f"/staff/{world.users['bureau'].public_id}/"
    assert "已绑定" in page.get(url).content.decode()
    assert page.post(f"{url}second-factor/reset/").status_code == 302
    assert not SecondFactor.objects.exists()


def test_the_demo_skips_the_second_factor_for_accounts_not_enrolled_and_says_so(world, settings):
    settings.YIYANG_DEMO_SKIP_2FA = True
    client = Client()
    assert 'data-testid="demo-skip-2fa"' in client.get("/login/").content.decode()
    response = form_login(client, "bureau", PASSWORD)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    # an enrolled account still gives its code in the demo
    settings.YIYANG_DEMO_SKIP_2FA = False
    enrolling = Client()
    secret = _enrol(enrolling)
    enrolling.post("/login/verify/", {"otp": code_now(secret)})
    settings.YIYANG_DEMO_SKIP_2FA = True
    assert form_login(Client(), "bureau", PASSWORD)["Location"] == "/login/verify/"


def test_the_login_page_is_chinese_and_hides_the_demo_note_outside_the_demo(world, settings):
    settings.YIYANG_DEMO_SKIP_2FA = False
    page = Client().get("/login/").content.decode()
    assert "登录" in page
    assert "demo-skip-2fa" not in page


def test_logout_sends_logged_out(world):
    client = Client()
    form_login(client, "station0", PASSWORD)
    with caught(user_logged_out) as seen:
        client.post("/logout/")
    assert [kw["user"] for _, kw in seen] == [world.users["station0"]]


def test_force_login_needs_no_second_factor(world):
    client = Client()
    client.force_login(world.users["bureau"])
    assert client.get("/staff/").status_code == 200


def test_a_new_account_starts_its_password_clock(world):
    user = User.objects.create_user(username="fresh", password="Fresh-account-1")
    assert user.password_changed_at is not None
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)


def test_an_officer_of_another_district_neither_sees_nor_unlocks(world):
    from yiyang.accounts.choices import Role
    from yiyang.areas.models import Area

    other_district = Area.objects.create(code="350205", name="别的区", level="district")
    officer_b = User.objects.create_user(
        username="bureau_b", password=PASSWORD, role=Role.BUREAU_OFFICER, area=other_district
    )
    _lock("street0")
    client = APIClient()
    client.force_authenticate(officer_b)
    assert client.get("/api/v1/auth/locks/").json()["count"] == 0
    assert client.post(f"/api/v1/users/{world.users['street0'].public_id}/unlock/").status_code == 404
    assert client.post(f"/api/v1/users/{world.users['street0'].public_id}/second-factor/reset/").status_code == 404
    assert LoginLock.objects.filter(username="street0").exists()


def test_the_admin_signs_in_through_the_site_login_only(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    signed_in = Client()
    signed_in.force_login(world.users["station0"])  # not staff
    assert signed_in.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert signed_in.get("/admin/login/?next=/admin/").status_code == 403  # no redirect loop


def test_a_success_prunes_failures_and_ended_locks(world):
    LoginFailure.objects.create(username="x", ip_address="10.1.1.1", at=timezone.now() - timedelta(hours=1))
    LoginLock.objects.create(username="y", locked_at=timezone.now() - timedelta(hours=1), until=timezone.now())
    assert APIClient().post(TOKEN, {"username": "street0", "password": PASSWORD}).status_code == 200
    assert not LoginFailure.objects.exists()
    assert not LoginLock.objects.exists()


def test_the_totp_secret_is_stored_encrypted(db):
    from django.db import connection

    user = User.objects.create_user(username="officer_secret", password=PASSWORD)
    secret = totp.new_secret()
    SecondFactor.objects.create(user=user, secret=secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_secondfactor WHERE user_id = %s", [user.pk])
        (stored,) = cursor.fetchone()
    assert secret not in stored
    assert SecondFactor.objects.get(user=user).secret == secret


# --- API tokens keep the sign-in rules -----------------------------------------------------------


def test_a_token_issued_before_the_password_expired_is_refused_until_it_is_changed(world):
    from rest_framework.authtoken.models import Token

    user = world.users["street0"]
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200
    _age_password(user, 91)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["errors"] == [{"field": "password", "reason": "密码已过期", "code": "password_expired"}]


def test_a_password_change_and_a_second_factor_reset_revoke_api_tokens(world):
    from rest_framework.authtoken.models import Token

    from yiyang.accounts.signin import password_change, second_factor_reset

    user = world.users["street0"]
    Token.objects.create(user=user)
    password_change(user=user, old_password=PASSWORD, new_password="Renewed-pass-2026")
    assert not Token.objects.filter(user=user).exists()
    Token.objects.create(user=user)
    second_factor_reset(actor=world.users["bureau"], account=user)
    assert not Token.objects.filter(user=user).exists()


def test_a_garbled_forwarded_address_is_stored_as_unknown(world, settings):
    from yiyang.audit.models import AuditEvent

    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    response = Client().post(
        "/login/", {"username": "street0", "password": "wrong-password"}, HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.1"
    )
    assert response.status_code == 200
    assert LoginFailure.objects.get().ip_address is None
    assert AuditEvent.objects.get(action="login_failed").ip_address is None
