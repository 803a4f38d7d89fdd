"""Headless Debian chromium driven by Playwright's sync API against pytest-django's live server.

Never downloads a browser: chromium comes from Debian (`chromium_path`). Playwright's sync API runs
an asyncio loop in the test's thread, so Django's async-safety check must be relaxed while a page
is open (the live server itself answers from its own thread).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import connections

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class BrowserLog:
    """What went wrong in the browser while the test ran."""

    failed_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def chromium_page(
    request, chromium_path, live_server, transactional_db, monkeypatch, browser_log, artifacts_dir
) -> Iterator:
    """A fresh zh-CN browser page whose relative URLs go to the live server.

    When the test fails, what the page showed is saved to <artefacts>/<test>-failure.png (tests/conftest.py `artifacts_dir`)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=live_server.url,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                viewport={"width": 1366, "height": 900},
            )
            context.set_default_timeout(10_000)
            page = context.new_page()

            def on_response(response) -> None:
                if response.status >= 400:
                    browser_log.failed_requests.append(f"{response.status} {response.url}")

            page.on("response", on_response)
            page.on("pageerror", lambda error: browser_log.page_errors.append(str(error)))
            yield page
            if request.node.stash.get(_CALL_FAILED, False):
                name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
                page.screenshot(path=str(artifacts_dir / f"{name}-failure.png"), full_page=True)
            context.close()
        finally:
            browser.close()
            # While Playwright's loop counts as running in this thread, Django keeps the thread's
            # database connections in context-local storage, apart from the ones the test started
            # with. Close them while they can still be reached, or they outlive the test (and keep
            # PostgreSQL from dropping the test database at the end of the run).
            connections.close_all()
