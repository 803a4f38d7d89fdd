"""The Content-Security-Policy in a real browser: the main pages run with no violation, and the pages
whose scripts moved from inline <script> to files (home chart, occupancy chart, organisation form,
language switch) still work. Screenshots land in <artefacts>/csp-*.png."""

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yiyang.alerts.web import stream
from yiyang.core.testing import PASSWORD, build_world, grant_permissions

pytestmark = pytest.mark.browser

# Runs before any page script (injected by the browser's devtools protocol, so the CSP does not apply
# to it): keeps every violation the page reports, including ones Chromium would only log.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" +
                    e.lineNumber);
});
"""


def watch_csp(page: Any) -> list[str]:
    """Console messages about the CSP (\"Refused to execute/apply/load ...\") as they arrive."""
    seen: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return seen


def assert_no_violations(page: Any, console: list[str], where: str = "", allowed: str = "") -> None:
    found = [v for v in [*console, *page.evaluate("window.__csp || []")] if not (allowed and allowed in v)]
    console.clear()
    assert not found, f"CSP violations {where}:\n" + "\n".join(found)


def sign_in(page: Any, username: str) -> None:
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("login") not in url)


def test_pages_with_moved_scripts_work_without_csp_violations(chromium_page, browser_log, artifacts_dir, settings):
    settings.YIYANG_DEMO_SKIP_2FA = True  # the demo path: district officers not enrolled sign in with the password
    page = chromium_page
    console = watch_csp(page)
    world = build_world()
    grant_permissions(world.users["bureau"], "organisations.change")
    sign_in(page, "bureau")

    # Home: the elders-per-street chart is drawn (ECharts renders into a canvas), its tooltip too.
    response = page.goto(reverse("home"))
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    chart = page.locator("#by-street canvas")
    expect(chart).to_have_count(1)
    box = page.locator("#by-street").bounding_box()
    assert box is not None and box["height"] == pytest.approx(320, abs=2)  # from site.css, not a style attribute
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "csp-home.png"), full_page=True)
    assert_no_violations(page, console)

    # Occupancy: the stacked bar chart with its legend.
    page.goto(reverse("occupancy"))
    expect(page.locator("#occupancy-chart canvas")).to_have_count(1)
    box = page.locator("#occupancy-chart").bounding_box()
    assert box is not None and box["height"] == pytest.approx(420, abs=2)
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "csp-occupancy.png"), full_page=True)
    assert_no_violations(page, console)

    # Organisation form: choosing "care centre" offers streets only, any other kind communities only.
    page.goto(reverse("organisation-create"))
    kind = page.locator("#id_kind")
    area = page.locator("#id_area")
    street_option = area.locator(f'option[value="{world.streets[0].public_id}"]')
    community_option = area.locator(f'option[value="{world.communities[0][0].public_id}"]')
    kind.select_option("care_centre")
    expect(street_option).not_to_have_attribute("hidden", re.compile(".*"))
    expect(community_option).to_have_attribute("hidden", "")
    kind.select_option("station")
    expect(street_option).to_have_attribute("hidden", "")
    expect(community_option).not_to_have_attribute("hidden", re.compile(".*"))
    page.screenshot(path=str(artifacts_dir / "csp-organisation-form.png"), full_page=True)
    assert_no_violations(page, console)

    # The language switch submits on change (was an onchange attribute).
    page.goto(reverse("elder-list"))
    page.locator('[data-testid="language-switch"] select').select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator('[data-testid="language-switch"] select').select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    assert_no_violations(page, console)

    assert browser_log.page_errors == [], browser_log.page_errors
    assert browser_log.failed_requests == [], browser_log.failed_requests


def test_main_pages_and_api_docs_run_without_csp_violations(
    chromium_page, browser_log, artifacts_dir, monkeypatch, settings
):
    settings.YIYANG_DEMO_SKIP_2FA = True
    # The alert console's live stream ends soon after the browser leaves it, not 55 s later.
    monkeypatch.setattr(stream, "LIFETIME_SECONDS", 2.0)
    page = chromium_page
    console = watch_csp(page)
    world = build_world()
    sign_in(page, "bureau")
    elder = world.elders["elder0"]
    pages = [
        reverse("elder-list"),
        reverse("elder-detail", kwargs={"public_id": elder.public_id}),
        reverse("organisation-list"),
        reverse("area-tree"),
        reverse("audit-list"),
        reverse("alert-console"),
        reverse("monitoring-rules"),
        reverse("monitoring-district-rules", kwargs={"public_id": world.district.public_id}),
        reverse("assessment-list"),
        reverse("assessment-due"),
        reverse("occupancy"),
    ]
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("load")
        assert_no_violations(page, console, url)

    # The elder search (htmx) still swaps the results in.
    page.goto(reverse("elder-list"))
    page.locator("input[name=q]").fill(elder.name[:-1])
    expect(page.locator("tr").filter(has_text=elder.name)).to_have_count(1)
    assert_no_violations(page, console)

    # Swagger UI renders the operations from the schema, its init script loaded as a file.
    page.goto(reverse("api-docs"))
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(artifacts_dir / "csp-api-docs.png"))
    assert_no_violations(page, console)

    page.goto(reverse("api-redoc"))
    expect(page.locator("redoc h1").first).to_be_visible(timeout=20_000)
    # Redoc's own relaxed policy (yiyang.core.security); its logo from the internet stays refused.
    assert_no_violations(page, console, "on Redoc", allowed="cdn.redoc.ly")

    # The admin's own login redirects to ours (no way around the throttle and the second factor).
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.wait_for_url(lambda url: reverse("login") in url)
    expect(page.locator("input[name=username]")).to_be_visible()
    assert_no_violations(page, console)

    # The assessment form (as the street worker who assesses): the progress bar follows the answers (its
    # width is set from the script, not from a style attribute).
    page.context.clear_cookies()
    sign_in(page, "street0")
    page.goto(reverse("assessment-create", kwargs={"public_id": elder.public_id}) + "?scale=gbt42195-2022")
    bar = page.locator("#progress-bar")
    assert bar.evaluate("el => el.getBoundingClientRect().width") == 0
    page.locator("label.assess-option").first.click()
    expect(bar).to_have_attribute("aria-valuenow", "1")
    # Bootstrap animates the bar's width: wait for it to grow rather than reading it mid-transition.
    page.wait_for_function("() => document.getElementById('progress-bar').getBoundingClientRect().width > 0")
    page.screenshot(path=str(artifacts_dir / "csp-assessment-form.png"))
    assert_no_violations(page, console, "on the assessment form")

    # A page that does not exist: our 404 in the site's layout.
    page.goto("/no-such-page/")
    expect(page.locator('[data-testid="error-page"]')).to_have_attribute("data-status", "404")
    assert_no_violations(page, console)

    assert browser_log.page_errors == [], browser_log.page_errors
    assert [r for r in browser_log.failed_requests if "/no-such-page/" not in r] == []
