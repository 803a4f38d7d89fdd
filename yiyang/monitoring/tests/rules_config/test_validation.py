"""Override documents are checked against the defaults: every problem is named by its path in the
document, with a reason and a code; a usable document gives no problem at all."""

import pytest

from yiyang.monitoring.validation import override_problems


def problems(document, **kwargs):
    kwargs.setdefault("root", "document")
    return [(e.field, e.code) for e in override_problems(document, **kwargs)]


@pytest.mark.parametrize(
    "document",
    [
        {},
        None,
        {"rules": {"hr_high": {"params": {"threshold": 140}}}},
        {"rules": {"hr_high": {"params": {"threshold": 139.5, "min_count": 3}, "severity": "emergency"}}},
        {"rules": {"night_bathroom": {"enabled": False}}},
        {"config": {"timezone": "Asia/Urumqi", "rearm_s": 1800, "day_start": "06:30"}},
        {"validity": {"min_signal": 40, "ranges": {"8867-4": {"max": 250}}}},
        {"validity": {"ranges": {"2710-2": {"name": "spo2_alt", "min": 50, "max": 100}}}},
        {"suppression": {"modes": {"away": ["inactivity", "late_wakeup"]}, "inhibit_s": 900}},
        {"rules": {"inactivity": {"params": {"population_p99_min": [120] * 24}}}},
        {"rules": {"night_door_exit": {"params": {"start": "22:30", "end": "24:00"}}}},
    ],
)
def test_usable_documents_have_no_problem(document):
    assert problems(document) == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"rules": {"hr_high": {"params": {"threshold": "abc"}}}},
            [("rules.hr_high.params.threshold", "invalid_type")],
        ),
        ({"rules": {"hr_high": {"params": {"threshold": True}}}}, [("rules.hr_high.params.threshold", "invalid_type")]),
        ({"rules": {"hr_high": {"params": {"threshold": None}}}}, [("rules.hr_high.params.threshold", "invalid_type")]),
        ({"rules": {"hr_high": {"params": {"threshold": -1}}}}, [("rules.hr_high.params.threshold", "min_value")]),
        ({"rules": {"hr_high": {"params": {"threshhold": 140}}}}, [("rules.hr_high.params.threshhold", "unknown_key")]),
        ({"rules": {"hr_high": {"params": {"min_count": 2.5}}}}, [("rules.hr_high.params.min_count", "invalid_type")]),
        ({"rules": {"hr_high": {"params": {"min_count": 0}}}}, [("rules.hr_high.params.min_count", "min_value")]),
        ({"rules": {"hr_high": {"params": {"code": "9279-1"}}}}, [("rules.hr_high.params.code", "not_overridable")]),
        ({"rules": {"hr_high": {"params": {"op": "<"}}}}, [("rules.hr_high.params.op", "not_overridable")]),
        ({"rules": {"hr_high": {"severity": "critical"}}}, [("rules.hr_high.severity", "invalid_choice")]),
        ({"rules": {"hr_high": {"enabled": "no"}}}, [("rules.hr_high.enabled", "invalid_type")]),
        ({"rules": {"hr_high": {"verified": True}}}, [("rules.hr_high.verified", "not_overridable")]),
        ({"rules": {"hr_high": {"alert_type": "sos"}}}, [("rules.hr_high.alert_type", "not_overridable")]),
        ({"rules": {"hr_high": {"paramz": {}}}}, [("rules.hr_high.paramz", "unknown_key")]),
        ({"rules": {"hr_hgh": {"enabled": False}}}, [("rules.hr_hgh", "unknown_rule")]),
        ({"rules": {"hr_high": 140}}, [("rules.hr_high", "invalid_type")]),
        ({"rules": []}, [("rules", "invalid_type")]),
        ({"rulez": {}}, [("rulez", "unknown_key")]),
        ({"flags": ["copd"]}, [("flags", "not_overridable")]),
        ({"version": 2}, [("version", "not_overridable")]),
        ({"config": {"timezone": "Mars/Olympus"}}, [("config.timezone", "invalid_choice")]),
        ({"config": {"day_start": "7am"}}, [("config.day_start", "invalid_time")]),
        ({"config": {"day_start": "25:00"}}, [("config.day_start", "invalid_time")]),
        ({"config": {"source": "x"}}, [("config.source", "not_overridable")]),
        ({"config": {"colour": "red"}}, [("config.colour", "unknown_key")]),
        ({"validity": {"ranges": {"8867-4": {"min": 300}}}}, [("validity.ranges.8867-4.max", "invalid")]),
        ({"validity": {"ranges": {"2710-2": {"min": 1}}}}, [("validity.ranges.2710-2", "required")]),
        ({"validity": {"ranges": {"8867-4": {"unit": "bpm"}}}}, [("validity.ranges.8867-4.unit", "unknown_key")]),
        ({"suppression": {"never": []}}, [("suppression.never", "not_overridable")]),
        ({"suppression": {"modes": {"holiday": ["*"]}}}, [("suppression.modes.holiday", "unknown_key")]),
        (
            {"suppression": {"modes": {"away": ["inactivity", "nap"]}}},
            [("suppression.modes.away[1]", "invalid_choice")],
        ),
        ({"suppression": {"inhibit_by": ["*"]}}, [("suppression.inhibit_by[0]", "invalid_choice")]),
        (
            {"rules": {"inactivity": {"params": {"population_p99_min": [90] * 23}}}},
            [("rules.inactivity.params.population_p99_min", "invalid_length")],
        ),
        (
            {"rules": {"inactivity": {"params": {"population_p99_min": [90] * 23 + ["x"]}}}},
            [("rules.inactivity.params.population_p99_min[23]", "invalid_type")],
        ),
        ({"rules": {"night_bathroom": {"params": {"rooms": []}}}}, [("rules.night_bathroom.params.rooms", "required")]),
        (
            {"rules": {"night_door_exit": {"params": {"requires_flag": "diabetes"}}}},
            [("rules.night_door_exit.params.requires_flag", "invalid_choice")],
        ),
        (
            {"rules": {"fall": {"params": {"cancel_severity": "low"}}}},
            [("rules.fall.params.cancel_severity", "invalid_choice")],
        ),
        ([1, 2], [("document", "invalid_type")]),
        ("rules", [("document", "invalid_type")]),
    ],
)
def test_each_problem_is_named_by_its_path(document, expected):
    assert problems(document) == expected


def test_every_problem_is_reported_at_once_with_a_reason():
    document = {
        "rules": {"hr_high": {"params": {"threshold": "abc", "min_count": 0}}, "nope": {}},
        "config": {"day_end": "later"},
    }
    errors = override_problems(document, root="document")
    assert [(e.field, e.code) for e in errors] == [
        ("rules.hr_high.params.threshold", "invalid_type"),
        ("rules.hr_high.params.min_count", "min_value"),
        ("rules.nope", "unknown_rule"),
        ("config.day_end", "invalid_time"),
    ]
    assert [e.reason for e in errors] == ["应为数字", "应不小于1", "未知的规则", "应为 HH:MM 格式的时刻"]


def test_the_root_name_is_the_callers_field():
    assert problems([], root="override") == [("override", "invalid_type")]


def test_a_document_too_large_is_refused_whole():
    document = {"rules": {"hr_high": {"params": {"threshold": 140}}}, "config": {"x" * 70_000: 1}}
    assert problems(document) == [("document", "too_large")]


def test_an_elder_override_is_compiled_with_the_district_layer_and_the_flags():
    district = {"rules": {"spo2_low": {"params": {"threshold_scale2": 85}}}}
    assert problems(district) == []
    assert problems({"rules": {"spo2_low": {"params": {"threshold": 90}}}}, district=district, flags=["copd"]) == []
