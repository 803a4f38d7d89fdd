"""End to end in a real browser: a watch declares a fall, the engine raises it, and the community
station's console shows it live (pushed, no reload) and lets the staff member acknowledge it. A low
battery then arrives as a technical alert: counted live on its own tab, never among the health
alerts, and listed with its device on the technical tab."""

import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from yiyang.alerts.models import Alert
from yiyang.alerts.services import alerts_apply
from yiyang.alerts.web import stream
from yiyang.core.testing import PASSWORD, build_world
from yiyang.devices.models import Device, DeviceBinding
from yiyang.monitoring.engine.contract import ALARM_FALL, RaiseAlert, Reading
from yiyang.monitoring.engine.engine import Engine

pytestmark = pytest.mark.browser


def test_station_sees_a_simulated_fall_live_and_acknowledges_it(chromium_page, browser_log, artifacts_dir, monkeypatch):
    # Short-lived streams: the browser reconnects (Last-Event-ID), and a stream left behind by a page
    # the browser moved away from ends before the live server stops, not 55 s later.
    monkeypatch.setattr(stream, "LIFETIME_SECONDS", 2.0)
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

    # when: the elder's watch reports a low battery
    watch = Device.objects.create(
        kind="watch", protocol="iw_tcp", identifier="353456789012345", district=world.district
    )
    DeviceBinding.objects.create(device=watch, elder=elder, since=now)
    alerts_apply([
        RaiseAlert(elder_id=elder.pk, alert_type="battery_low", severity="technical", at=timezone.now(),
                   rule="battery_low", detail={"device_id": watch.pk, "battery": 15}),
    ])  # fmt: skip

    # then: the technical tab's count rises live, and the health list does not show it
    expect(page.locator('[data-testid="count-technical"]')).to_have_text("1", timeout=10_000)
    expect(page.locator('[data-testid="count-health"]')).to_have_text("1")
    expect(page.locator('[data-testid="alert-row"]')).to_have_count(1)
    expect(page.locator('[data-testid="alert-row"][data-severity="technical"]')).to_have_count(0)

    # and the technical tab lists it with its device and the same buttons
    page.locator('[data-testid="tab-technical"]').click()
    technical = page.locator('[data-testid="alert-row"]')
    expect(technical).to_have_count(1)
    expect(technical.locator('[data-testid="alert-device"]')).to_contain_text("353456789012345")
    expect(page.locator('[data-testid="stream-state"]')).to_have_text("实时")
    technical.locator('[data-testid="acknowledge"]').click()
    expect(page.locator('[data-testid="alert-row"]').locator('[data-testid="alert-status"]')).to_have_text("已响应")
    assert Alert.objects.get(elder=elder, alert_type="battery_low").status == "acknowledged"
    assert browser_log.page_errors == []
    page.goto("about:blank")
    time.sleep(stream.LIFETIME_SECONDS + 4 * stream.POLL_SECONDS)
