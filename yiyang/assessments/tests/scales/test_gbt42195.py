"""GB/T 42195-2022: C3 bands at every boundary, the C4 level-change rules, and the §1.7 algorithm."""

import itertools

import pytest

from yiyang.assessments.scales import score

from .helpers import gbt

CODE = "gbt42195-2022"


@pytest.mark.parametrize(
    ("total", "level", "name"),
    [
        (90, 0, "能力完好"),
        (89, 1, "能力轻度受损（轻度失能）"),
        (66, 1, "能力轻度受损（轻度失能）"),
        (65, 2, "能力中度受损（中度失能）"),
        (46, 2, "能力中度受损（中度失能）"),
        (45, 3, "能力重度受损（重度失能）"),
        (30, 3, "能力重度受损（重度失能）"),
        (29, 4, "能力完全丧失（完全失能）"),
        (0, 4, "能力完全丧失（完全失能）"),
    ],
)
def test_total_to_level_at_every_band_boundary(total, level, name):
    # when
    result = score(CODE, gbt(total))

    # then
    assert (result.total, result.preliminary_level, result.level, result.level_name) == (total, level, level, name)
    assert result.level_code == str(level)
    assert result.rules_applied == []
    assert result.verified is True and result.unverified == []
    assert [step.kind for step in result.explanation][:2] == ["sum", "band"]
    assert sum(result.group_totals.values()) == total


def test_all_group_totals_are_reported():
    result = score(CODE, gbt(90))
    assert result.group_totals == {"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15}
    assert result.as_dict()["group_totals"] == {"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15}


# ---------------------------------------------------------------------------------------------------
# Rule 1: 昏迷 → 4. B.3.9 = coma scores 0, so the highest total with coma is 88 (preliminary level 1):
# level 0 (total 90) cannot coincide with coma; every reachable preliminary level is tested.
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "preliminary"), [(88, 1), (66, 1), (50, 2), (40, 3), (10, 4)])
def test_coma_sets_level_4_from_any_preliminary_level(total, preliminary):
    result = score(CODE, gbt(total, coma=True))

    assert (result.preliminary_level, result.level) == (preliminary, 4)
    assert result.rules_applied == ["coma"]
    assert result.option_codes == {"B.3.9": "coma"}
    rule_step = next(step for step in result.explanation if step.data.get("rule") == "coma")
    assert rule_step.data["before"] == preliminary and rule_step.data["after"] == 4
    assert "昏迷" in rule_step.text and "能力完全丧失（完全失能）" in rule_step.text
    # the 完全失能 / 重度失能 wording conflict is named as unverified
    assert result.verified is False
    assert any("重度失能" in sentence and "C4 第1条" in sentence for sentence in result.unverified)


def test_coma_ignores_the_other_rules():
    result = score(CODE, gbt(70, coma=True, diagnoses=["F03"], risk=3))
    assert result.level == 4 and result.rules_applied == ["coma"]
    assert not any(step.data.get("rule") in {"mental_disorder", "risk_events"} for step in result.explanation)


def test_stupor_is_a_zero_that_does_not_trigger_the_coma_rule():
    answers = gbt(88, coma=True)
    answers["B.3.9"] = "stupor"
    result = score(CODE, answers)
    assert (result.total, result.level, result.rules_applied) == (88, 1, [])
    assert result.option_codes == {"B.3.9": "stupor"}


def test_b39_zero_with_the_coma_fact_is_the_same_as_the_option_code():
    by_code = score(CODE, gbt(60, coma=True))
    answers = gbt(60, coma=True)
    answers.update({"B.3.9": 0, "coma": True})
    by_fact = score(CODE, answers)
    assert (by_fact.level, by_fact.option_codes, by_fact.rules_applied) == (4, {"B.3.9": "coma"}, ["coma"])
    assert by_fact.level == by_code.level

    answers["coma"] = False
    assert score(CODE, answers).option_codes == {"B.3.9": "stupor"}


# ---------------------------------------------------------------------------------------------------
# Rule 2: 痴呆 F00–F03 / 其他精神和行为障碍 F04–F99 → +1. Rule 3: ≥2 risk events in 30 days → +1.
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "diagnoses",
    [["F00"], ["F00.1"], ["F01"], ["F02.8"], ["F03"], ["F03.9"], ["f03.9"], ["F03.x00"], ["I10", "F03"]],
)
def test_dementia_raises_one_level(diagnoses):
    result = score(CODE, gbt(70, diagnoses=diagnoses))
    assert (result.preliminary_level, result.level) == (1, 2)
    assert result.rules_applied == ["mental_disorder"]
    step = next(step for step in result.explanation if step.data.get("rule") == "mental_disorder")
    assert step.data["applied"] is True and "痴呆 F00～F03" in step.text
    assert result.verified is True


@pytest.mark.parametrize("diagnoses", [["F04"], ["F20"], ["F32.9"], ["F99"], ["F03", "F20"]])
def test_other_mental_disorders_raise_one_level_and_both_kinds_together_still_one(diagnoses):
    result = score(CODE, gbt(50, diagnoses=diagnoses))
    assert (result.preliminary_level, result.level) == (2, 3)
    assert result.rules_applied == ["mental_disorder"]


@pytest.mark.parametrize("diagnoses", [[], ["I10"], ["G30"], ["E11.9", "I63"], ["G20"]])
def test_other_diagnoses_do_not_change_the_level(diagnoses):
    result = score(CODE, gbt(70, diagnoses=diagnoses))
    assert result.level == 1 and result.rules_applied == []
    step = next(step for step in result.explanation if step.data.get("rule") == "mental_disorder")
    assert step.data["applied"] is False and "不适用" in step.text


@pytest.mark.parametrize(("events", "level"), [(0, 1), (1, 1), (2, 2), (3, 2), (7, 2)])
def test_risk_events_raise_one_level_from_two(events, level):
    result = score(CODE, gbt(70, risk=events))
    assert result.level == level
    assert result.rules_applied == (["risk_events"] if events >= 2 else [])
    step = next(step for step in result.explanation if step.data.get("rule") == "risk_events")
    assert step.data["applied"] is (events >= 2)
    assert f"{events} 次" in step.text


def test_both_rules_stack_to_plus_two_by_default():
    result = score(CODE, gbt(70, diagnoses=["F03"], risk=2))
    assert (result.preliminary_level, result.level) == (1, 3)
    assert result.rules_applied == ["mental_disorder", "risk_events"]
    assert result.settings == {"stack_level_rules": True}
    # the stacking choice is a policy setting the standard does not make
    assert result.verified is False
    assert any("stack_level_rules=true" in sentence for sentence in result.unverified)


def test_both_rules_raise_only_one_level_with_stacking_off():
    result = score(CODE, gbt(70, diagnoses=["F03"], risk=2), settings={"stack_level_rules": False})
    assert (result.preliminary_level, result.level) == (1, 2)
    assert result.rules_applied == ["mental_disorder", "risk_events"]
    risk_step = next(step for step in result.explanation if step.data.get("rule") == "risk_events")
    assert risk_step.data["changed"] is False and "不叠加" in risk_step.text
    assert any("stack_level_rules=false" in sentence for sentence in result.unverified)


def test_stacking_setting_does_not_matter_with_one_rule():
    on = score(CODE, gbt(70, diagnoses=["F03"]))
    off = score(CODE, gbt(70, diagnoses=["F03"]), settings={"stack_level_rules": False})
    assert on.level == off.level == 2
    assert on.verified and off.verified


@pytest.mark.parametrize(
    ("total", "diagnoses", "risk", "stack", "uncapped"),
    [
        (40, ["F03"], 2, True, 5),  # 3 + 2
        (10, ["F03"], 0, True, 5),  # 4 + 1
        (10, ["F20"], 3, True, 6),  # 4 + 2
        (10, ["F20"], 3, False, 5),  # 4 + 1
    ],
)
def test_the_level_is_capped_at_4(total, diagnoses, risk, stack, uncapped):
    result = score(CODE, gbt(total, diagnoses=diagnoses, risk=risk), settings={"stack_level_rules": stack})
    assert result.level == 4 and result.level_name == "能力完全丧失（完全失能）"
    cap = [step for step in result.explanation if step.kind == "cap"]
    assert len(cap) == 1 and cap[0].data == {"uncapped": uncapped, "level": 4}


def test_no_cap_step_when_the_raised_level_is_4_exactly():
    result = score(CODE, gbt(40, diagnoses=["F03"]))
    assert result.level == 4
    assert not any(step.kind == "cap" for step in result.explanation)


# ---------------------------------------------------------------------------------------------------
# The reference algorithm of standards.md §1.7, transcribed, against the scorer.
# ---------------------------------------------------------------------------------------------------


def _reference(total, coma, dementia_f00_f03, mental_f04_f99, risk_events_last_30d, stack=True):
    level = 0 if total == 90 else 1 if total >= 66 else 2 if total >= 46 else 3 if total >= 30 else 4
    if coma:
        level = 4
    else:
        raises = 0
        if dementia_f00_f03 or mental_f04_f99:
            raises += 1
        if risk_events_last_30d >= 2:
            raises += 1
        level += raises if stack else min(raises, 1)
        level = min(level, 4)
    return level


CASES = [
    (total, coma, diagnoses, risk, stack)
    for total, coma, diagnoses, risk, stack in itertools.product(
        [90, 89, 66, 65, 46, 45, 30, 29, 0],
        [False, True],
        [[], ["F02"], ["F10.2"], ["I10"]],
        [0, 1, 2],
        [True, False],
    )
    if not (coma and total > 88)
]


@pytest.mark.parametrize(("total", "coma", "diagnoses", "risk", "stack"), CASES)
def test_the_scorer_agrees_with_the_reference_algorithm(total, coma, diagnoses, risk, stack):
    expected = _reference(
        total,
        coma,
        dementia_f00_f03="F02" in diagnoses,
        mental_f04_f99="F10.2" in diagnoses,
        risk_events_last_30d=risk,
        stack=stack,
    )
    result = score(CODE, gbt(total, coma=coma, diagnoses=diagnoses, risk=risk), settings={"stack_level_rules": stack})
    assert result.level == expected


def test_as_dict_is_json_ready_with_the_required_keys():
    import json

    data = score(CODE, gbt(70, diagnoses=["F03"], risk=2)).as_dict()
    assert {"scale", "total", "group_totals", "level", "level_name", "explanation", "verified", "unverified"} <= set(
        data
    )
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert {step["kind"] for step in data["explanation"]} <= {"sum", "band", "rule", "combine", "cap"}
    assert all(set(step) == {"kind", "text", "data"} for step in data["explanation"])
