"""Bad answers, facts, scales, settings and policy overrides: every problem reported at once, exactly."""

import pytest

from yiyang.assessments.scales import InvalidAnswers, InvalidPolicy, UnknownScale, score
from yiyang.core.errors import ValidationFailed

from .helpers import answers_for, gbt

CODE = "gbt42195-2022"


def _errors(exc):
    return [(e.field, e.code) for e in exc.value.errors]


def test_error_classes_are_validation_failures():
    assert issubclass(UnknownScale, ValidationFailed)
    assert issubclass(InvalidAnswers, ValidationFailed)
    assert issubclass(InvalidPolicy, ValidationFailed)


def test_unknown_scale():
    with pytest.raises(UnknownScale) as exc:
        score("adl-9000", {})
    assert _errors(exc) == [("scale", "unknown_scale")]
    assert "adl-9000" in exc.value.errors[0].reason and "barthel" in exc.value.errors[0].reason


def test_unknown_item():
    answers = gbt(90)
    answers["B.5.1"] = 4
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("B.5.1", "unknown_item")]
    assert "B.1.1" in exc.value.errors[0].reason and "risk_events_30d" in exc.value.errors[0].reason


@pytest.mark.parametrize("value", [5, -1, 2.5, "4", True, None, [4]])
def test_disallowed_score(value):
    answers = gbt(90)
    answers["B.1.1"] = value
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("B.1.1", "invalid_score")]
    assert "允许的分值：4、3、2、1、0" in exc.value.errors[0].reason


def test_disallowed_score_names_option_codes_where_there_are_some():
    answers = gbt(90)
    answers["B.3.9"] = "asleep"
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    reason = exc.value.errors[0].reason
    assert "允许的分值：2、1、0" in reason and "stupor" in reason and "coma" in reason


def test_missing_item():
    answers = gbt(90)
    del answers["B.2.3"]
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("B.2.3", "missing_item")]


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("diagnoses", "F03"),
        ("diagnoses", ["F03", "dementia"]),
        ("diagnoses", [3]),
        ("diagnoses", ["F3"]),
        ("risk_events_30d", -1),
        ("risk_events_30d", 1.5),
        ("risk_events_30d", "2"),
        ("risk_events_30d", True),
        ("coma", "yes"),
        ("coma", 0),
    ],
)
def test_bad_fact_values(fact, value):
    answers = gbt(90)
    answers[fact] = value
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [(fact, "invalid_fact")]


def test_a_bad_diagnoses_list_names_each_bad_entry():
    answers = gbt(90, diagnoses=["F03", "dementia", "I10", 7])
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert "第2项 “dementia”" in exc.value.errors[0].reason and "第4项 7" in exc.value.errors[0].reason


def test_required_facts_are_missing_facts():
    answers = gbt(90)
    del answers["diagnoses"], answers["risk_events_30d"]
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("diagnoses", "missing_fact"), ("risk_events_30d", "missing_fact")]


def test_b39_zero_without_the_coma_fact_asks_which_zero():
    answers = gbt(90)
    answers["B.3.9"] = 0
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("coma", "missing_fact")]
    assert "stupor / coma" in exc.value.errors[0].reason


@pytest.mark.parametrize(("b39", "coma"), [(2, True), ("stupor", True), ("coma", False)])
def test_a_coma_fact_contradicting_b39_is_refused(b39, coma):
    answers = gbt(90)
    answers.update({"B.3.9": b39, "coma": coma})
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("coma", "invalid_fact")]


def test_a_consistent_coma_fact_is_accepted():
    answers = gbt(60, coma=True)
    answers["coma"] = True
    assert score(CODE, answers).level == 4
    answers = gbt(90)
    answers["coma"] = False
    assert score(CODE, answers).level == 0


def test_several_problems_are_all_reported_at_once_in_a_stable_order():
    answers = gbt(90)
    answers.update({"B.9.9": 1, "B.1.1": 7, "B.3.9": "dozing", "diagnoses": "F03", "risk_events_30d": -2})
    del answers["B.4.5"], answers["B.2.1"]

    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)

    assert _errors(exc) == [
        ("B.9.9", "unknown_item"),
        ("diagnoses", "invalid_fact"),
        ("risk_events_30d", "invalid_fact"),
        ("B.1.1", "invalid_score"),
        ("B.3.9", "invalid_score"),
        ("B.2.1", "missing_item"),
        ("B.4.5", "missing_item"),
    ]
    assert exc.value.message == "评估答案有误：共 7 处问题"


@pytest.mark.parametrize("answers", [[], "x", None, 3])
def test_answers_that_are_not_an_object(answers):
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert _errors(exc) == [("answers", "invalid")]


def test_scales_without_facts_refuse_fact_keys_as_unknown_items():
    answers = answers_for("barthel", 100)
    answers["diagnoses"] = []
    with pytest.raises(InvalidAnswers) as exc:
        score("barthel", answers)
    assert _errors(exc) == [("diagnoses", "unknown_item")]


# ---------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "settings", "errors"),
    [
        (CODE, {"stack_level_rules": "no"}, [("settings.stack_level_rules", "invalid_setting")]),
        (CODE, {"stack": False}, [("settings.stack", "unknown_setting")]),
        ("barthel", {"stack_level_rules": False}, [("settings.stack_level_rules", "unknown_setting")]),
        (CODE, ["stack_level_rules"], [("settings", "invalid")]),
    ],
)
def test_bad_settings(code, settings, errors):
    answers = gbt(90) if code == CODE else answers_for(code, 100)
    with pytest.raises(InvalidPolicy) as exc:
        score(code, answers, settings=settings)
    assert _errors(exc) == errors


# ---------------------------------------------------------------------------------------------------
# Policy overrides
# ---------------------------------------------------------------------------------------------------


def _ltc_bands():
    return [
        {"level": 0, "name": "能力完好", "min": 100, "max": 100},
        {"level": 1, "name": "轻度受损", "min": 65, "max": 95},
        {"level": 2, "name": "中度受损", "min": 45, "max": 60},
        {"level": 3, "name": "重度受损", "min": 0, "max": 40},
    ]


def _policy_errors(policy, code="ltc-2021"):
    with pytest.raises(InvalidPolicy) as exc:
        score(code, answers_for(code), policy=policy)
    return [(e.field, e.reason) for e in exc.value.errors]


def test_policy_must_name_its_source_and_verified_mark():
    assert _policy_errors({"combination": [[0, 0, 1, 1]] * 4}) == [
        ("policy.source", "缺少必填键"),
        ("policy.verified", "缺少必填键"),
    ]


def test_policy_must_replace_something():
    assert _policy_errors({"source": "x", "verified": True}) == [
        ("policy", "至少需要给出一项可替换的政策数据：group_bands、combination"),
    ]


def test_policy_for_another_scale_or_with_unknown_keys_is_refused():
    errors = _policy_errors(
        {"scale": "barthel", "source": "x", "verified": "yes", "bands": [], "colour": 1, "combination": [[0] * 4] * 4}
    )
    assert errors == [
        ("policy.bands", "量表 ltc-2021 的“bands”不可替换；可替换：group_bands、combination"),
        ("policy.colour", "未知的键；可用的键：combination、group_bands、note、scale、source、verified"),
        ("policy.scale", "政策数据属于量表“barthel”，不是 ltc-2021"),
        ("policy.verified", "应为 true 或 false，实为文字“yes”"),
    ]


def test_policy_band_problems_are_named_by_path():
    bands = _ltc_bands()
    bands[1] = {"level": 1, "name": "轻度受损", "min": 70, "max": 95}  # leaves 65 uncovered
    bands[2] = {"level": 2, "name": "", "min": 60, "max": 45}
    errors = _policy_errors({"source": "x", "verified": True, "group_bands": {"C1": bands, "C9": _ltc_bands()}})
    assert errors == [
        ("policy.group_bands.C1[2].name", "应为非空文字，实为文字“”"),
        ("policy.group_bands.C1[2]", "min（60）大于 max（45）"),
        ("policy.group_bands.C1", "可能的得分 45–65 不属于任何分级"),
        ("policy.group_bands.C9", "未知的组或该组不按得分分级；可用：C1、C2、C3"),
    ]


def test_policy_combination_shape_is_checked_against_the_bands():
    errors = _policy_errors(
        {"source": "x", "verified": True, "combination": [[0, 0, 1, 1], [1, 1, 1], [2, 2, 2, 9], "x"]}
    )
    assert errors == [
        ("policy.combination[3]", "应为列表，实为文字“x”"),
        ("policy.combination[1]", "应有 4 列，实为 3 列"),
        ("policy.combination[2][3]", "9 不是本量表的等级（可用：[0, 1, 2, 3, 4, 5]）"),
        ("policy.combination[3]", "应有 4 列，实为 0 列"),
    ]


def test_policy_with_five_adl_grades_needs_a_five_row_table():
    bands = [*_ltc_bands()[:3], {"level": 3, "name": "重度受损", "min": 20, "max": 40}]
    bands.append({"level": 4, "name": "极重度受损", "min": 0, "max": 15})
    errors = _policy_errors({"source": "x", "verified": True, "group_bands": {"C1": bands}})
    assert errors == [("policy.combination", "应有 5 行（C1 的每个分级一行），实为 4 行")]


def test_policy_that_is_not_an_object():
    assert _policy_errors(["x"]) == [("policy", "应为对象（键值对），实为列表")]
