"""End to end in a real browser: a district officer enrols a TOTP second factor from the QR page,
signs in with a code, and signs in again on the verification step; a locked account is told so."""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yiyang.accounts import totp
from yiyang.core.testing import PASSWORD, build_world

pytestmark = pytest.mark.browser


def _password_step(page, username: str, password: str) -> None:
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").click()


def test_officer_enrols_and_signs_in_with_a_code(chromium_page, browser_log, artifacts_dir, settings):
    settings.YIYANG_DEMO_SKIP_2FA = False
    page = chromium_page
    build_world()

    page.goto(reverse("login"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^zh"))
    expect(page.locator('[data-testid="demo-skip-2fa"]')).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "login.png"), full_page=True)

    _password_step(page, "bureau", PASSWORD)
    page.wait_for_url(lambda url: url.endswith(reverse("login-second-factor")))
    expect(page.locator('[data-testid="enrol-title"]')).to_have_text("绑定动态口令")
    expect(page.locator('[data-testid="totp-qr"] svg')).to_be_visible()
    secret = page.locator('[data-testid="totp-secret"]').inner_text().replace(" ", "")
    page.screenshot(path=str(artifacts_dir / "second-factor-enrol.png"), full_page=True)

    page.fill("input[name=otp]", "000000" if totp.code_at(secret, time.time()) != "000000" else "111111")
    page.locator("form button[type=submit]").click()
    expect(page.locator('[data-testid="otp-error"]')).to_contain_text("动态口令不正确")

    page.fill("input[name=otp]", totp.code_at(secret, time.time()))
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("login") not in url)
    expect(page.locator('[data-testid="current-user"]')).to_contain_text("bureau")

    page.locator('[data-testid="current-user"]').click()  # the account menu holds "sign out"
    page.locator('[data-testid="nav-logout"]').click()
    page.wait_for_url(lambda url: url.endswith(reverse("login")))
    _password_step(page, "bureau", PASSWORD)
    page.wait_for_url(lambda url: url.endswith(reverse("login-second-factor")))
    expect(page.locator('[data-testid="verify-title"]')).to_have_text("输入动态口令")
    expect(page.locator('[data-testid="totp-secret"]')).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "second-factor-verify.png"), full_page=True)
    # the step just used is spent (no replay); the next step's code is within the clock-drift allowance
    page.fill("input[name=otp]", totp.code_at(secret, time.time() + totp.STEP_SECONDS))
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("login") not in url)
    expect(page.locator('[data-testid="current-user"]')).to_contain_text("bureau")
    assert browser_log.page_errors == []


def test_a_locked_account_is_told_and_the_demo_note_shows(chromium_page, browser_log, artifacts_dir, settings):
    settings.YIYANG_DEMO_SKIP_2FA = True
    page = chromium_page
    build_world()
    for _ in range(5):
        _password_step(page, "station0", "wrong-password")
    _password_step(page, "station0", PASSWORD)
    expect(page.locator('[data-testid="login-error"]')).to_contain_text("登录失败次数过多")
    expect(page.locator('[data-testid="demo-skip-2fa"]')).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "login-locked.png"), full_page=True)
