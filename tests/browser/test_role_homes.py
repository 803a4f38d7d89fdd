"""Every role's home page in a real browser, in Chinese and English, at desktop (1,280 px) and phone
(390 px) width: the role's cards and no other, each titled in the page's language, a page that never
scrolls sideways, a navbar that fits one line on the desktop. Each run leaves a full-page screenshot
in `<artefacts>/screenshots/<role>-<language>-<width>.png` (see tests/conftest.py `artifacts_dir`;
.ci/run prints the folder).

One browser for the module, a fresh context (cookies, viewport, locale) per test. The world is the
full test world (tests/full_world.py), so every card has something to show.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.urls import reverse

from tests.browser.conftest import CHROMIUM_ARGS, BrowserLog
from tests.full_world import ROLE_ACCOUNTS, build_full_world
from yiyang.core.testing import PASSWORD

pytestmark = pytest.mark.browser

# The cards each role's account of the full test world sees, in page order (the testid is
# "card-" + the registry key with dots as dashes). Kept in step with /yiyang/*/web/home_cards.py; the
# rules behind it: elders.overview needs elders.view and an area scope, elders.mine is for helper and
# family; alerts.open needs alerts.view; assessments.review needs assessments.review;
# assessments.worklist needs assessments.create and the assessor qualification (the test world's
# street, medical and institution accounts have it, the bureau's does not); assessments.due is for
# street/community/bed-organisation accounts with assessments.create; assessments.reassess for
# helpers with assessments.view (the full world's helper0 has elder0's record lapsing in a week);
# assessments.latest for helper and family; organisations.beds for district officers and institution staff; devices.attention for
# area-scoped accounts with devices.view; benefits.payroll and benefits.queue (approval) for district accounts
# with benefits rights, benefits.queue (street review) for street staff, benefits.institution for institution staff.
EXPECTED_CARDS: dict[str, list[str]] = {
    "bureau_officer": [
        "card-elders-overview",
        "card-alerts-open",
        "card-assessments-review",
        "card-organisations-beds",
        "card-devices-attention",
        "card-benefits-payroll",
        "card-benefits-queue",
    ],
    "health_officer": [
        "card-elders-overview",
        "card-alerts-open",
        "card-assessments-review",
        "card-organisations-beds",
    ],
    "street_staff": [
        "card-elders-overview",
        "card-alerts-open",
        "card-assessments-worklist",
        "card-assessments-due",
        "card-devices-attention",
        "card-benefits-queue",
    ],
    "care_centre_staff": [
        "card-elders-overview",
        "card-alerts-open",
        "card-assessments-due",
        "card-devices-attention",
    ],
    "station_staff": [
        "card-elders-overview",
        "card-alerts-open",
        "card-assessments-due",
        "card-devices-attention",
    ],
    "institution_staff": [
        "card-assessments-worklist",
        "card-assessments-due",
        "card-organisations-beds",
        "card-benefits-institution",
    ],
    "medical_staff": [
        "card-alerts-open",
        "card-assessments-review",
        "card-assessments-worklist",
    ],
    "helper": [
        "card-elders-mine",
        "card-alerts-open",
        "card-assessments-reassess",
        "card-assessments-latest",
    ],
    "family": [
        "card-elders-mine",
        "card-alerts-open",
        "card-assessments-latest",
    ],
}
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}  # page language -> browser locale
WIDTHS = (1280, 390)
# A Bootstrap navbar on one line is about 56 px high; a second line of menu entries adds 40 or more.
NAVBAR_ONE_LINE_MAX_PX = 72

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")

# Roots of the home cards: the card sections, not the testids used inside them.
CARD_ROOTS = 'section.card[data-testid^="card-"]'


def test_the_table_names_every_role():
    assert set(EXPECTED_CARDS) == set(ROLE_ACCOUNTS)


@pytest.fixture(scope="module")
def browser(chromium_path) -> Iterator[Any]:
    """One headless chromium for the module. While Playwright's loop is up, Django's async-safety
    check is relaxed (the live server answers from its own thread)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    patch = pytest.MonkeyPatch()
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
                # Connections opened while the loop counted as running live in context-local storage:
                # close them while they can still be reached (see tests/browser/conftest.py).
                connections.close_all()
    finally:
        patch.undo()


def screenshots_dir(artifacts_dir) -> Any:
    path = artifacts_dir / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def home_page_problems(page: Any, *, role: str, language: str, width: int) -> list[str]:
    """Everything wrong with the home page on screen, so one run reports all of it."""
    problems = []
    if page.locator("html").get_attribute("lang") != language:
        problems.append(f"html lang is {page.locator('html').get_attribute('lang')!r}, not {language!r}")
    heading = page.locator('[data-testid="home-heading"]')
    if language == "en" and heading.count() and CJK.search(heading.first.inner_text()):
        problems.append(f"the heading is Chinese on the English page: {heading.first.inner_text()!r}")
    if language == "en":
        # Menu entries, dropdowns included (their text whether open or not); the account button
        # is left out: it shows the person's name.
        menu = page.locator("nav a.nav-link, nav .dropdown-item").all_text_contents()
        untranslated = [" ".join(m.split()) for m in menu if CJK.search(m)]
        if untranslated:
            problems.append(f"menu entries in Chinese on the English page: {untranslated}")
    cards = page.locator(CARD_ROOTS)
    shown = [cards.nth(i).get_attribute("data-testid") for i in range(cards.count())]
    if shown != EXPECTED_CARDS[role]:
        problems.append(f"cards shown {shown}, expected {EXPECTED_CARDS[role]}")
    for i, testid in enumerate(shown):
        card = cards.nth(i)
        title = card.locator(".card-title").first.inner_text().strip() if card.locator(".card-title").count() else ""
        if not title:
            problems.append(f"{testid} has no title")
            continue
        words = [title, *card.locator('[data-testid="card-link"], [data-testid="card-empty-hint"]').all_inner_texts()]
        if language == "en":
            untranslated = [w for w in words if CJK.search(w)]
            if untranslated:
                problems.append(f"{testid} shows Chinese on the English page: {untranslated}")
        elif not CJK.search(title):
            problems.append(f"{testid} title {title!r} is not Chinese")

    size = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    if size["scroll"] > size["inner"]:
        problems.append(f"the page scrolls sideways: {size['scroll']} px of content in {size['inner']} px")
    if width >= 1280:
        navbar = page.locator("nav.navbar").first.bounding_box()
        if navbar is None or navbar["height"] > NAVBAR_ONE_LINE_MAX_PX:
            problems.append(f"the navbar does not fit one line: {navbar and navbar['height']} px high")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("role", list(EXPECTED_CARDS))
def test_role_home_page(browser, live_server, transactional_db, settings, artifacts_dir, role, language, width):
    settings.YIYANG_DEMO_SKIP_2FA = True  # district officers not enrolled sign in with the password
    build_full_world()
    log = BrowserLog()
    context = browser.new_context(
        base_url=live_server.url,
        locale=LANGUAGES[language],
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": 900},
    )
    try:
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        page.on("response", lambda r: log.failed_requests.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("pageerror", lambda error: log.page_errors.append(str(error)))

        page.goto(reverse("login"))
        page.fill("input[name=username]", ROLE_ACCOUNTS[role])
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(lambda url: reverse("login") not in url)
        page.goto(reverse("home"))
        page.wait_for_load_state("load")
        name = f"{role}-{language}-{width}"
        shot = screenshots_dir(artifacts_dir) / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)

        problems = home_page_problems(page, role=role, language=language, width=width)
        problems += [f"page error: {e}" for e in log.page_errors]
        problems += [f"failed request: {r}" for r in log.failed_requests]
        assert problems == [], f"{name} (screenshot {shot}):\n" + "\n".join(problems)
    finally:
        context.close()
