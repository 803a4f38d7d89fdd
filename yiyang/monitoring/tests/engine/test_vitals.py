"""Health-indicator rules: thresholds, persistence windows, hysteresis, NEWS2, invalid readings."""

import pytest

from yiyang.monitoring.engine.contract import (
    BODY_TEMPERATURE,
    DIASTOLIC_BP,
    HEART_RATE,
    RESPIRATORY_RATE,
    SPO2,
    SYSTOLIC_BP,
)
from yiyang.monitoring.engine.core import news2_score
from yiyang.monitoring.engine.rules import resolve_ruleset

from .helpers import BED, Run, bed, mins, rd


def _series(code, points, device=11):
    """points: [(minutes, value)]"""
    return [rd(code, value, mins(m), device=device) for m, value in points]


@pytest.mark.parametrize(
    ("code", "points", "alert_type", "expected"),
    [
        # HR high: >= 131 on 2 readings >= 2 min apart
        (HEART_RATE, [(0, 131), (2, 131)], "hr_high", 1),
        (HEART_RATE, [(0, 135), (1, 135)], "hr_high", 0),
        (HEART_RATE, [(0, 130), (2, 130)], "hr_high", 0),
        (HEART_RATE, [(0, 140)], "hr_high", 0),
        # HR high sustained: > 120 for >= 10 min
        (HEART_RATE, [(0, 121), (5, 121), (10, 121)], "hr_high", 1),
        (HEART_RATE, [(0, 121), (5, 121), (9, 121)], "hr_high", 0),
        (HEART_RATE, [(0, 120), (5, 120), (10, 120)], "hr_high", 0),
        (HEART_RATE, [(0, 125), (16, 125)], "hr_high", 0),  # readings 16 min apart: not sustained
        # HR low: <= 40 sustained >= 10 min on 2+ readings
        (HEART_RATE, [(0, 40), (10, 40)], "hr_low", 1),
        (HEART_RATE, [(0, 40), (9, 40)], "hr_low", 0),
        (HEART_RATE, [(0, 41), (10, 41)], "hr_low", 0),
        (HEART_RATE, [(0, 38), (5, 60), (10, 38)], "hr_low", 0),  # a normal reading breaks the run
        # HR watch: 41-50 or 111-130 for >= 30 min, new against baseline
        (HEART_RATE, [(0, 50), (15, 50), (30, 50)], "hr_watch", 1),
        (HEART_RATE, [(0, 51), (15, 51), (30, 51)], "hr_watch", 0),
        (HEART_RATE, [(0, 111), (14, 111), (29, 111)], "hr_watch", 0),
        (HEART_RATE, [(0, 111), (15, 111), (30, 111)], "hr_watch", 1),
        # SpO2 scale 1: <= 91 on 3 consecutive readings or >= 5 min
        (SPO2, [(0, 91), (1, 91), (2, 91)], "spo2_low", 1),
        (SPO2, [(0, 91), (1, 91)], "spo2_low", 0),
        (SPO2, [(0, 91), (5, 91)], "spo2_low", 1),
        (SPO2, [(0, 92), (1, 92), (2, 92), (6, 92)], "spo2_low", 0),
        (SPO2, [(0, 90), (1, 95), (2, 90), (3, 90)], "spo2_low", 0),
        # SBP low: <= 90 confirmed by a repeat within 5 min
        (SYSTOLIC_BP, [(0, 90), (4, 90)], "sbp_low", 1),
        (SYSTOLIC_BP, [(0, 90), (6, 90)], "sbp_low", 0),
        (SYSTOLIC_BP, [(0, 91), (2, 91)], "sbp_low", 0),
        (SYSTOLIC_BP, [(0, 85)], "sbp_low", 0),
        # BP very high: SBP > 180 or DBP > 120 confirmed by a repeat
        (SYSTOLIC_BP, [(0, 181), (10, 181)], "bp_high", 1),
        (SYSTOLIC_BP, [(0, 180), (10, 180)], "bp_high", 0),
        (SYSTOLIC_BP, [(0, 200)], "bp_high", 0),
        (SYSTOLIC_BP, [(0, 190), (31, 190)], "bp_high", 0),
        (DIASTOLIC_BP, [(0, 121), (5, 121)], "bp_high", 1),
        (DIASTOLIC_BP, [(0, 120), (5, 120)], "bp_high", 0),
        # temperature: >= 37.8 once, >= 37.2 repeated
        (BODY_TEMPERATURE, [(0, 37.8)], "temperature", 1),
        (BODY_TEMPERATURE, [(0, 37.7)], "temperature", 0),
        (BODY_TEMPERATURE, [(0, 37.2), (240, 37.2)], "temperature", 1),
        (BODY_TEMPERATURE, [(0, 37.2), (240, 36.8)], "temperature", 0),
        (BODY_TEMPERATURE, [(0, 37.1), (240, 37.1)], "temperature", 0),
        # temperature extremes
        (BODY_TEMPERATURE, [(0, 35.0)], "temp_extreme", 1),
        (BODY_TEMPERATURE, [(0, 35.1)], "temp_extreme", 0),
        (BODY_TEMPERATURE, [(0, 39.1)], "temp_extreme", 1),
        (BODY_TEMPERATURE, [(0, 39.0)], "temp_extreme", 0),
    ],
)
def test_threshold_rules(code, points, alert_type, expected):
    # given / when
    run = Run().readings(*_series(code, points))
    # then
    assert len(run.raised(alert_type)) == expected


def test_severities_of_threshold_rules():
    run = Run().readings(*_series(HEART_RATE, [(0, 131), (2, 131)]), *_series(BODY_TEMPERATURE, [(3, 37.9)]))
    assert ("hr_high", "urgent") in run.types()
    # temperature with another vital alert open is urgent
    assert ("temperature", "urgent") in run.types()
    assert Run().readings(*_series(BODY_TEMPERATURE, [(0, 37.9)])).types() == [("temperature", "watch")]


def test_temperature_above_personal_baseline():
    # given ten readings at 36.0 (a personal baseline), then 37.1 (>= baseline + 1.1, below 37.2)
    run = Run().readings(*_series(BODY_TEMPERATURE, [(i * 60, 36.0) for i in range(10)] + [(700, 37.1)]))
    assert [a.detail["criterion"] for a in run.raised("temperature")] == ["baseline"]


def test_temperature_baseline_not_used_before_ten_readings():
    run = Run().readings(*_series(BODY_TEMPERATURE, [(i * 60, 36.0) for i in range(9)] + [(700, 37.1)]))
    assert run.raised("temperature") == []


def test_spo2_scale2_for_copd():
    copd = resolve_ruleset(flags=["copd"])
    assert Run(copd).readings(*_series(SPO2, [(0, 88), (1, 88), (2, 88)])).raised("spo2_low") == []
    assert len(Run(copd).readings(*_series(SPO2, [(0, 83), (1, 83), (2, 83)])).raised("spo2_low")) == 1


def test_hysteresis_clears_only_inside_margin_for_a_period():
    # given an open hr_high
    run = Run().readings(*_series(HEART_RATE, [(0, 135), (2, 135)]))
    assert run.cleared() == []
    # when back to 127 (not inside the 5 bpm margin) for 20 min
    run.readings(*_series(HEART_RATE, [(5, 127), (25, 127)]))
    assert "hr_high" not in run.cleared()
    # when inside the margin (<= 126 and <= 115 for the sustained rule) but for less than 10 min
    run.readings(*_series(HEART_RATE, [(30, 110), (35, 110)]))
    assert "hr_high" not in run.cleared()
    # then cleared once 10 min inside the margin
    run.readings(*_series(HEART_RATE, [(40, 110)]))
    assert run.cleared().count("hr_high") == 1


def test_no_reraise_every_reading_but_after_rearm_interval():
    points = [(m, 135) for m in range(0, 121, 2)]
    run = Run().readings(*_series(HEART_RATE, points))
    raised = run.raised("hr_high")
    assert [a.detail["repeat"] for a in raised] == [0, 1]  # at 2 min, then after the 60-min re-arm
    assert (raised[1].at - raised[0].at).total_seconds() == 3600


def test_bed_respiratory_rate_only_in_bed():
    # given the elder in bed
    run = Run().readings(bed(mins(0), "in"))
    run.readings(*_series(RESPIRATORY_RATE, [(1, 25), (2, 25), (3, 25)], device=BED))
    assert ("rr_high", "urgent") in run.types()
    run2 = Run().readings(bed(mins(0), "in"))
    run2.readings(*_series(RESPIRATORY_RATE, [(1, 8), (2, 8), (3, 8)], device=BED))
    assert ("rr_low", "urgent") in run2.types()
    run3 = Run().readings(bed(mins(0), "in"))
    run3.readings(*_series(RESPIRATORY_RATE, [(1, 24), (2, 24), (3, 24), (4, 9)], device=BED))
    assert run3.raised("rr_high") == [] and run3.raised("rr_low") == []
    # empty bed: marked invalid, never alerted
    run4 = Run().readings(bed(mins(0), "out"))
    run4.readings(*_series(RESPIRATORY_RATE, [(1, 30), (2, 30), (3, 30)], device=BED))
    assert run4.raised() == []
    assert run4.marks()[-1] == (False, "empty_bed")


@pytest.mark.parametrize(
    ("code", "value", "score"),
    [
        (RESPIRATORY_RATE, 8, 3), (RESPIRATORY_RATE, 9, 1), (RESPIRATORY_RATE, 11, 1), (RESPIRATORY_RATE, 12, 0),
        (RESPIRATORY_RATE, 20, 0), (RESPIRATORY_RATE, 21, 2), (RESPIRATORY_RATE, 24, 2), (RESPIRATORY_RATE, 25, 3),
        (SPO2, 91, 3), (SPO2, 92, 2), (SPO2, 93, 2), (SPO2, 94, 1), (SPO2, 95, 1), (SPO2, 96, 0),
        (SYSTOLIC_BP, 90, 3), (SYSTOLIC_BP, 91, 2), (SYSTOLIC_BP, 100, 2), (SYSTOLIC_BP, 101, 1),
        (SYSTOLIC_BP, 110, 1), (SYSTOLIC_BP, 111, 0), (SYSTOLIC_BP, 219, 0), (SYSTOLIC_BP, 220, 3),
        (HEART_RATE, 40, 3), (HEART_RATE, 41, 1), (HEART_RATE, 50, 1), (HEART_RATE, 51, 0), (HEART_RATE, 90, 0),
        (HEART_RATE, 91, 1), (HEART_RATE, 110, 1), (HEART_RATE, 111, 2), (HEART_RATE, 130, 2), (HEART_RATE, 131, 3),
        (BODY_TEMPERATURE, 35.0, 3), (BODY_TEMPERATURE, 35.1, 1), (BODY_TEMPERATURE, 36.0, 1),
        (BODY_TEMPERATURE, 36.1, 0), (BODY_TEMPERATURE, 38.0, 0), (BODY_TEMPERATURE, 38.1, 1),
        (BODY_TEMPERATURE, 39.0, 1), (BODY_TEMPERATURE, 39.1, 2),
    ],
)  # fmt: skip
def test_news2_bands(code, value, score):
    assert news2_score(code, value) == score


@pytest.mark.parametrize(("value", "score"), [(83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (97, 0)])
def test_news2_spo2_scale2(value, score):
    assert news2_score(SPO2, value, scale2=True) == score


def _n2(points):
    """points: [(minutes, code, value)] -> news2 alerts' severities."""
    run = Run().readings(*[rd(code, value, mins(m)) for m, code, value in points])
    return [a.severity for a in run.raised("news2")]


def test_news2_aggregate():
    # 2+2+2+2 = 8, every parameter confirmed by a second reading >= 2 min later -> emergency
    both = [(0, c, v) for c, v in ((HEART_RATE, 115), (SPO2, 93), (SYSTOLIC_BP, 95), (RESPIRATORY_RATE, 22))]
    both += [(3, c, v) for _, c, v in both]
    assert "emergency" in _n2(both)
    # 2+2+1 = 5 -> urgent, no emergency
    five = [(0, HEART_RATE, 115), (0, SPO2, 93), (0, SYSTOLIC_BP, 105)]
    five += [(3, c, v) for _, c, v in five]
    assert _n2(five) == ["urgent"]
    # 2+2 = 4 -> nothing
    four = [(0, HEART_RATE, 115), (0, SPO2, 93), (3, HEART_RATE, 115), (3, SPO2, 93)]
    assert _n2(four) == []
    # single measurement (unconfirmed) never counts
    assert _n2([(0, c, v) for _, c, v in both[:4]]) == []
    # a single parameter scoring 3 on two readings 2 min apart -> urgent (red score)
    assert _n2([(0, SYSTOLIC_BP, 88), (3, SYSTOLIC_BP, 88)]) == ["urgent"]
    # readings older than 60 min do not count
    stale = [
        (0, HEART_RATE, 115),
        (3, HEART_RATE, 115),
        (70, SPO2, 93),
        (73, SPO2, 93),
        (73, SYSTOLIC_BP, 105),
        (76, SYSTOLIC_BP, 105),
    ]
    assert _n2(stale) == []


@pytest.mark.parametrize(
    ("code", "value", "quality", "reason"),
    [
        (HEART_RATE, 0, {}, "hr_out_of_range"),
        (HEART_RATE, 300, {}, "hr_out_of_range"),
        (HEART_RATE, 400, {}, "hr_out_of_range"),
        (HEART_RATE, 19, {}, "hr_out_of_range"),
        (SPO2, 101, {}, "spo2_out_of_range"),
        (BODY_TEMPERATURE, 45.0, {}, "temp_out_of_range"),
        (HEART_RATE, 140, {"signal": 29}, "poor_signal"),
        (HEART_RATE, 140, {"valid": False, "reason": "motion_artefact"}, "motion_artefact"),
        (HEART_RATE, 140, {"valid": False}, "device_invalid"),
        (HEART_RATE, 140, {"worn": False}, "not_worn"),
        (HEART_RATE, "fast", {}, "bad_value"),
        ("unknown.code", 1, {}, "unknown_code"),
    ],
)
def test_invalid_readings_marked_and_never_alerted(code, value, quality, reason):
    run = Run().readings(*[rd(code, value, mins(m), **quality) for m in (0, 3, 6, 12)])
    assert run.raised() == []
    assert run.marks()[-1] == (False, reason)


def test_valid_boundary_readings_marked_valid():
    run = Run().readings(
        rd(HEART_RATE, 299, mins(0)), rd(HEART_RATE, 20, mins(1)), rd(HEART_RATE, 80, mins(2), signal=30)
    )
    assert run.marks() == [(True, ""), (True, ""), (True, "")]


def test_future_dated_reading_is_invalid():
    run = Run()
    run.feed(rd(HEART_RATE, 140, mins(3)), now=mins(0))  # 3 min ahead of the clock (tolerance 120 s)
    run.feed(rd(HEART_RATE, 80, mins(1)), now=mins(0))  # within tolerance
    assert run.marks() == [(False, "future"), (True, "")]


def test_a_threshold_alert_records_the_threshold_in_force_for_the_elder():
    # The alert page words the threshold from the detail: it must be the elder's, not the default.
    copd = resolve_ruleset(flags=["copd"])
    (alert,) = Run(copd).readings(*_series(SPO2, [(0, 83), (1, 83), (2, 83)])).raised("spo2_low")
    assert alert.detail["threshold"] == 83
    district = resolve_ruleset(district={"rules": {"spo2_low": {"params": {"threshold": 90}}}})
    (alert,) = Run(district).readings(*_series(SPO2, [(0, 90), (1, 90), (2, 90)])).raised("spo2_low")
    assert alert.detail["threshold"] == 90
