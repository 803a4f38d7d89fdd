"""SOS, falls with confirmation, suppression with expiry, inhibition, device health, rule overrides."""

from datetime import timedelta

import pytest

from yiyang.monitoring.engine.contract import (
    ALARM_FALL,
    ALARM_FALL_CANCEL,
    ALARM_NOT_WORN,
    ALARM_SOS,
    BATTERY,
    HEART_RATE,
    HEARTBEAT,
    WORN,
    DeviceStatus,
)
from yiyang.monitoring.engine.events import ClearSuppression, SetSuppression
from yiyang.monitoring.engine.rules import RuleError, default_ruleset, load_default_rules, merge_rules, resolve_ruleset

from .helpers import ELDER, WATCH, Run, local, mins, motion, rd


def _hr_high(start):
    return [rd(HEART_RATE, 135, mins(start)), rd(HEART_RATE, 135, mins(start + 2))]


# ------------------------------------------------------------------ SOS and falls
def test_sos_is_emergency_at_once():
    run = Run().readings(rd(ALARM_SOS, None, mins(0), "alarm"))
    assert run.types() == [("sos", "emergency")]
    assert run.raised()[0].at == mins(0)


def test_fall_raises_emergency_at_once_and_stays_without_response():
    run = Run().readings(rd(ALARM_FALL, None, mins(0), "alarm"))
    run.tick(mins(5))
    assert run.types() == [("fall", "emergency")]
    assert run.downgrades() == []


@pytest.mark.parametrize(
    ("event_seconds", "event", "downgrade"),
    [
        (20, "cancel", [("watch", "cancelled")]),
        (60, "cancel", [("watch", "cancelled")]),
        (61, "cancel", []),
        (30, "motion", [("urgent", "movement")]),
        (3, "motion", []),  # inside the 5 s grace: the fall itself
        (90, "motion", []),
    ],
)
def test_fall_confirmation_window(event_seconds, event, downgrade):
    run = Run().readings(rd(ALARM_FALL, None, mins(0), "alarm"))
    when = mins(event_seconds / 60)
    run.readings(rd(ALARM_FALL_CANCEL, None, when, "alarm") if event == "cancel" else motion(when))
    assert run.downgrades() == downgrade


def test_sos_inhibits_lesser_alerts_for_30_minutes():
    run = Run().readings(rd(ALARM_SOS, None, mins(0), "alarm"), *_hr_high(5))
    assert run.types() == [("sos", "emergency")]
    run.readings(*_hr_high(31))
    # after 30 min the HR rule (and NEWS2's single-parameter red score) raise again
    assert run.types() == [("sos", "emergency"), ("hr_high", "urgent"), ("news2", "urgent")]


def test_fall_inhibits_inactivity_then_it_fires():
    run = Run().readings(motion(local(0, "10:00")), rd(ALARM_FALL, None, local(0, "11:40"), "alarm"))
    run.tick(local(0, "11:48"))  # inactivity deadline: inhibited until 12:10 (fall + 30 min)
    assert [a.alert_type for a in run.raised()] == ["fall"]
    run.tick(local(0, "12:09"))
    assert [a.alert_type for a in run.raised()] == ["fall"]
    run.tick(local(0, "12:10"))
    assert [(a.alert_type, a.at) for a in run.raised()] == [
        ("fall", local(0, "11:40")),
        ("inactivity", local(0, "12:10")),
    ]


# ------------------------------------------------------------------ suppression
def test_suppression_blocks_until_expiry():
    run = Run()
    run.feed(SetSuppression(ELDER, "in_hospital", mins(60)), now=mins(0))
    run.readings(*_hr_high(5))
    assert run.raised() == []
    run.readings(*_hr_high(61))
    assert ("hr_high", "urgent") in run.types()


def test_sos_never_suppressed():
    run = Run()
    run.feed(SetSuppression(ELDER, "maintenance", mins(60)), now=mins(0))
    run.readings(rd(ALARM_SOS, None, mins(1), "alarm"), rd(ALARM_FALL, None, mins(2), "alarm"))
    assert run.types() == [("sos", "emergency")]


def test_away_suppresses_routine_not_vitals_and_defers_the_timer():
    run = Run().readings(motion(local(0, "10:00")))
    run.feed(SetSuppression(ELDER, "away", local(0, "13:00")), now=local(0, "10:05"))
    run.tick(local(0, "12:00"))
    run.readings(*[rd(HEART_RATE, 135, local(0, "12:10")), rd(HEART_RATE, 135, local(0, "12:12"))])
    assert [a.alert_type for a in run.raised()] == ["hr_high", "news2"]
    # the inactivity timer was held to the suppression's end and fires then
    run.tick(local(0, "13:00"))
    assert [a.alert_type for a in run.raised()] == ["hr_high", "news2", "inactivity"]


def test_clear_suppression_early():
    run = Run()
    run.feed(SetSuppression(ELDER, "in_hospital", mins(600)), now=mins(0))
    run.feed(ClearSuppression(ELDER, "in_hospital"), now=mins(1))
    run.readings(*_hr_high(5))
    assert run.types() == [("hr_high", "urgent"), ("news2", "urgent")]


# ------------------------------------------------------------------ device health
def test_device_offline_after_three_intervals_and_back():
    run = Run().readings(*[rd(HEARTBEAT, None, mins(5 * i), "tech") for i in range(4)])  # every 5 min
    run.tick(mins(15 + 14.9))
    assert run.raised() == []
    run.tick(mins(15 + 15))
    assert run.types() == [("device_offline", "technical")]
    assert DeviceStatus(WATCH, mins(30), online=False) in run.commands
    run.readings(rd(HEARTBEAT, None, mins(40), "tech"))
    assert run.cleared() == ["device_offline"]
    assert DeviceStatus(WATCH, mins(40), online=True) in run.commands


def test_not_worn_two_hours_daytime_only():
    run = Run().readings(rd(WORN, False, local(0, "10:00"), "tech"))
    run.tick(local(0, "11:59"))
    assert run.raised() == []
    run.tick(local(0, "12:00"))
    assert run.types() == [("not_worn", "technical")]
    run.readings(rd(WORN, True, local(0, "12:30"), "tech"))
    assert run.cleared() == ["not_worn"]
    # taken off at 21:00: one daytime hour left today, the second from 07:00 tomorrow
    night = Run().readings(rd(ALARM_NOT_WORN, None, local(0, "21:00"), "alarm"))
    night.tick(local(1, "07:59"))
    assert night.raised() == []
    night.tick(local(1, "08:00"))
    assert night.types() == [("not_worn", "technical")]


@pytest.mark.parametrize(
    ("levels", "raised", "cleared"), [([21], 0, 0), ([20], 1, 0), ([20, 25], 1, 0), ([20, 30], 1, 1)]
)
def test_low_battery(levels, raised, cleared):
    run = Run().readings(*[rd(BATTERY, level, mins(i), "tech") for i, level in enumerate(levels)])
    assert len(run.raised("battery_low")) == raised
    assert run.cleared().count("battery_low") == cleared
    assert all(r.severity == "technical" for r in run.raised())


# ------------------------------------------------------------------ rules as data
def test_every_default_rule_has_source_basis_and_is_unverified():
    rules = default_ruleset().rules
    assert len(rules) >= 25
    for rule in rules.values():
        assert rule.source and rule.basis
        assert rule.verified is False


def test_district_and_elder_overrides_merge_in_order():
    district = {"rules": {"hr_high": {"params": {"threshold": 140}}}, "config": {"rearm_s": 600}}
    elder = {"rules": {"hr_high": {"params": {"threshold": 150}}}}
    rules = resolve_ruleset(district, elder)
    assert rules.rearm_s == 600
    assert [t.threshold for t in rules.thresholds[HEART_RATE] if t.rule == "hr_high"] == [150.0]
    assert Run(rules).readings(rd(HEART_RATE, 145, mins(0)), rd(HEART_RATE, 145, mins(3))).raised("hr_high") == []
    # the defaults document is not changed by merging
    assert load_default_rules()["rules"]["hr_high"]["params"]["threshold"] == 131


def test_rule_can_be_disabled_per_elder():
    rules = resolve_ruleset(elder={"rules": {"sos": {"enabled": False}}})
    assert Run(rules).readings(rd(ALARM_SOS, None, mins(0), "alarm")).raised() == []


@pytest.mark.parametrize(
    "override",
    [
        {"rules": {"hr_hihg": {"params": {"threshold": 1}}}},
        {"rules": {"hr_high": {"params": {"treshold": 1}}}},
        {"colour": 1},
        {"rules": {"hr_high": {"severity": "loud"}}},
        {"config": {"timezone": "Mars/Olympus"}},
    ],
)
def test_bad_overrides_are_errors(override):
    with pytest.raises(RuleError):
        resolve_ruleset(override)


def test_merge_is_pure():
    base = load_default_rules()
    merged = merge_rules(base, {"rules": {"sos": {"enabled": False}}})
    assert merged["rules"]["sos"]["enabled"] is False
    assert base["rules"]["sos"].get("enabled", True) is True


def test_timezone_setting_moves_day_and_night():
    utc_rules = resolve_ruleset({"config": {"timezone": "UTC"}})
    # 10:00 Shanghai is 02:00 UTC: night in UTC, so a bed exit then is a night bed exit
    run = Run(utc_rules).readings(rd("bed.occupancy", "out", mins(0), "state", 12))
    run.tick(mins(31))
    assert [a.alert_type for a in run.raised()] == ["night_bed_exit"]
    assert timedelta(0) < mins(0) - local(0, "09:59")
