"""End to end in a real browser: a watch declares a fall, the engine raises it, and the community
station's console shows it live (pushed, no reload) and lets the staff member acknowledge it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from yiyang.alerts.models import Alert
from yiyang.alerts.services import alerts_apply
from yiyang.core.testing import PASSWORD, build_world
from yiyang.monitoring.engine.contract import ALARM_FALL, RaiseAlert, Reading
from yiyang.monitoring.engine.engine import Engine

pytestmark = pytest.mark.browser


def test_station_sees_a_simulated_fall_live_and_acknowledges_it(chromium_page, browser_log, artifacts_dir):
    page = chromium_page
    world = build_world()
    elder = world.elders["elder0"]

    page.goto(reverse("login"))
    page.fill("input[name=username]", "station0")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("login") not in url)
    page.goto(reverse("alert-console"))
    expect(page.locator('[data-testid="no-alerts"]')).to_be_visible()

    # when: the elder's watch declares a fall and the engine's commands are applied, as the runner does
    now = timezone.now()
    fall = Reading(
        key="browser-fall-1", device_id=1, elder_id=elder.pk, kind="alarm", code=ALARM_FALL, value=True,
        unit="", device_ts=now, received_ts=now,
    )  # fmt: skip
    commands = Engine().feed(fall, now)
    assert [(c.alert_type, c.severity) for c in commands if isinstance(c, RaiseAlert)] == [("fall", "emergency")]
    alerts_apply(commands)

    # then: it arrives on the open page without a reload, and can be acknowledged there
    row = page.locator('[data-testid="alert-row"]').filter(has_text=elder.name)
    expect(row).to_have_count(1, timeout=10_000)
    expect(row).to_have_attribute("data-severity", "emergency")
    page.screenshot(path=str(artifacts_dir / "alert-console.png"), full_page=True)
    row.locator('[data-testid="acknowledge"]').click()
    expect(
        page.locator('[data-testid="alert-row"]').filter(has_text=elder.name).locator('[data-testid="alert-status"]')
    ).to_have_text(re.compile("已响应"))

    alert = Alert.objects.get(elder=elder, alert_type="fall")
    assert alert.status == "acknowledged"
    assert alert.acknowledged_by == world.users["station0"]
    assert browser_log.page_errors == []
