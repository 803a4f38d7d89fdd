from datetime import timedelta

import pytest

from yiyang.alerts.selectors import alert_sla_report
from yiyang.alerts.tests.support import T0, alert_row
from yiyang.organisations.tests.support import api_client

pytestmark = pytest.mark.django_db


def make(world, elder_key, alert_type, severity, ack=None, dispatch=None, scene=None, opened=T0):
    elder = world.elders[elder_key]
    s = timedelta(seconds=1)
    return alert_row(
        elder,
        alert_type,
        severity,
        opened,
        acknowledged_at=opened + ack * s if ack is not None else None,
        dispatched_at=opened + dispatch * s if dispatch is not None else None,
        on_scene_at=opened + scene * s if scene is not None else None,
        status="on_scene" if scene is not None else ("acknowledged" if ack is not None else "open"),
    )


@pytest.fixture
def constructed(world):
    # street 0: four emergencies acknowledged at 30, 50, 120 s and never; one urgent at 400 s
    make(world, "elder0", "sos", "emergency", ack=30, dispatch=60, scene=1200)
    make(world, "elder0", "fall", "emergency", ack=50, dispatch=100, scene=1800)
    make(world, "resident0", "sos", "emergency", ack=120)
    make(world, "resident0", "fall", "emergency")
    make(world, "elder0", "hr_high", "urgent", ack=400)
    make(world, "elder0", "device_offline", "technical", ack=5000)  # left out of the report
    # street 1: one emergency acknowledged at 10 s; and one opened outside the range
    make(world, "elder1", "sos", "emergency", ack=10)
    make(world, "elder1", "fall", "emergency", ack=10, opened=T0 - timedelta(days=40))
    return world


def test_sla_figures_on_a_constructed_set(constructed):
    report = alert_sla_report(
        user=constructed.users["bureau"], start=T0 - timedelta(days=1), end=T0 + timedelta(days=1)
    )
    overall = report["overall"]
    assert (overall["alerts"], overall["acknowledged"]) == (6, 5)
    assert overall["acknowledged_within_60s_pct"] == 50.0  # 10, 30, 50 of 6
    assert overall["acknowledged_within_180s_pct"] == 66.7  # + 120
    assert overall["time_to_acknowledge_p50_s"] == 50.0  # 10, 30, 50, 120, 400
    assert overall["time_to_acknowledge_p90_s"] == 288.0  # 120 + 0.6 * 280
    assert overall["time_to_dispatch_p50_s"] == 80.0 and overall["time_to_scene_p50_s"] == 1500.0
    emergency = report["by_severity"][0]
    assert (emergency["severity"], emergency["alerts"], emergency["acknowledged_within_60s_pct"]) == (
        "emergency",
        5,
        60.0,
    )
    assert [(r["street"], r["alerts"], r["acknowledged_within_180s_pct"]) for r in report["by_street"]] == [
        ("第1街道", 5, 60.0),
        ("第2街道", 1, 100.0),
    ]


def test_the_sla_api_is_limited_to_the_reach(constructed):
    body = api_client(constructed.users["street1"]).get("/api/v1/alerts/sla/?start=2025-05-31&end=2025-06-01").json()
    assert body["overall"]["alerts"] == 1 and [r["street"] for r in body["by_street"]] == ["第2街道"]
