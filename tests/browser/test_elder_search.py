"""End to end in a real browser: a bureau officer signs in, finds an elder by part of the name, sees
the national ID masked in the list (and nowhere in full on that page), and the full ID on the profile."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yiyang.core.masking import mask_national_id
from yiyang.core.testing import PASSWORD, build_world

pytestmark = pytest.mark.browser


def test_bureau_finds_elder_by_name_and_opens_profile(chromium_page, browser_log, artifacts_dir, settings):
    # The demo path: an officer who has not enrolled a second factor signs in with the password alone
    # (tests/browser/test_sign_in.py goes through the second factor).
    settings.YIYANG_DEMO_SKIP_2FA = True
    page = chromium_page
    world = build_world()
    elder = world.elders["elder0"]
    other = world.elders["elder1"]

    page.goto(reverse("login"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^zh"))
    submit = page.locator("form button[type=submit]")
    expect(submit).to_have_text("登录")
    page.fill("input[name=username]", "bureau")
    page.fill("input[name=password]", PASSWORD)
    submit.click()
    page.wait_for_url(lambda url: reverse("login") not in url)
    expect(page.locator('[data-testid="current-user"]')).to_contain_text("bureau")

    page.goto(reverse("elder-list"))
    search = page.locator("input[name=q]")
    search.fill(elder.name[:-1])
    search.press("Enter")

    row = page.locator("tr").filter(has_text=elder.name)
    expect(row).to_have_count(1)
    expect(page.locator("tr").filter(has_text=other.name)).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "elder-search.png"), full_page=True)

    expect(row.locator('[data-testid="national-id"]')).to_have_text(mask_national_id(elder.national_id))
    assert elder.national_id not in page.content()

    row.get_by_role("link", name=elder.name).click()
    expect(page.locator('[data-testid="national-id-full"]')).to_have_text(elder.national_id)
    page.screenshot(path=str(artifacts_dir / "elder-profile.png"), full_page=True)

    assert browser_log.page_errors == [], browser_log.page_errors
    assert browser_log.failed_requests == [], f"requests that failed: {browser_log.failed_requests}"
