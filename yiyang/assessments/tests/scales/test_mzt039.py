"""MZ/T 039-2013: group bands, the §2.2 B.3 grading, the C.2 matrix (with our fallbacks) and C.3."""

import itertools

import pytest

from yiyang.assessments.scales import InvalidAnswers, get_scale, score
from yiyang.assessments.scales.scoring import mzt039_b3_grade, mzt039_c2_matches

from .helpers import fill

CODE = "mzt039-2013"
SCALE = get_scale(CODE)
ADL_TOTAL = {0: 100, 1: 80, 2: 50, 3: 20}
MENTAL_ANSWERS = {  # B.2.1 left at 0 so that C.3 第1条 is not triggered by the item
    0: {"B.2.1": 0, "B.2.2": 0, "B.2.3": 0},
    1: {"B.2.1": 0, "B.2.2": 1, "B.2.3": 0},
    2: {"B.2.1": 0, "B.2.2": 2, "B.2.3": 0},
    3: {"B.2.1": 0, "B.2.2": 2, "B.2.3": 2},
}
PERCEPTION_ANSWERS = {  # 意识清醒; vision decides the grade
    0: {"B.3.1": 0, "B.3.2": 0, "B.3.3": 0, "B.3.4": 0},
    1: {"B.3.1": 0, "B.3.2": 2, "B.3.3": 0, "B.3.4": 0},
    2: {"B.3.1": 0, "B.3.2": 3, "B.3.3": 0, "B.3.4": 0},
    3: {"B.3.1": 0, "B.3.2": 4, "B.3.3": 0, "B.3.4": 0},
}
SOCIAL_TOTAL = {0: 0, 1: 3, 2: 8, 3: 14}


def _items(group):
    return [SCALE.item(code) for code in SCALE.group(group).items]


def _answers(adl=0, mental=0, perception=0, social=0, *, diagnoses=None, risk=0):
    answers = fill(_items("B.1"), ADL_TOTAL[adl])
    answers.update(MENTAL_ANSWERS[mental])
    answers.update(PERCEPTION_ANSWERS[perception])
    answers.update(fill(_items("B.4"), SOCIAL_TOTAL[social]))
    answers.update({"diagnoses": diagnoses or [], "risk_events_30d": risk})
    return answers


# ---------------------------------------------------------------------------------------------------
# Group grades
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "grade"), [(100, 0), (95, 1), (65, 1), (60, 2), (45, 2), (40, 3), (0, 3)])
def test_b1_daily_living_bands(total, grade):
    answers = _answers()
    answers.update(fill(_items("B.1"), total))
    result = score(CODE, answers)
    assert result.group_totals["B.1"] == total
    assert result.group_levels["B.1"]["level"] == grade


@pytest.mark.parametrize(("total", "grade"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (6, 3)])
def test_b2_mental_state_bands(total, grade):
    answers = _answers()
    answers.update(fill(_items("B.2"), total))
    answers["diagnoses"] = []
    result = score(CODE, answers)
    assert result.group_totals["B.2"] == total
    assert result.group_levels["B.2"]["level"] == grade


@pytest.mark.parametrize(("total", "grade"), [(0, 0), (2, 0), (3, 1), (7, 1), (8, 2), (13, 2), (14, 3), (20, 3)])
def test_b4_social_participation_bands(total, grade):
    answers = _answers()
    answers.update(fill(_items("B.4"), total))
    result = score(CODE, answers)
    assert result.group_totals["B.4"] == total
    assert result.group_levels["B.4"] == {
        "level": grade,
        "name": ["能力完好", "轻度受损", "中度受损", "重度受损"][grade],
    }


# Every alternative of every clause of §2.2: (意识, 视力, 听力, 沟通) -> grade.
B3_CASES = [
    ((0, 0, 0, 0), 0),
    ((0, 1, 1, 0), 0),
    ((0, 2, 0, 0), 1),
    ((0, 0, 2, 0), 1),
    ((0, 0, 0, 1), 1),
    ((0, 2, 2, 1), 1),
    ((0, 3, 0, 0), 2),
    ((0, 0, 3, 0), 2),
    ((0, 0, 0, 2), 2),
    ((1, 0, 0, 0), 2),  # 嗜睡，视力或听力 ≤3，沟通 ≤2
    ((1, 3, 3, 2), 2),
    ((0, 4, 0, 0), 3),
    ((0, 0, 4, 0), 3),
    ((0, 0, 0, 3), 3),
    ((1, 4, 0, 0), 3),  # 嗜睡 + 视力 4
    ((1, 0, 0, 3), 3),  # 嗜睡 + 沟通 3
    ((2, 0, 0, 0), 3),  # 昏睡
    ((3, 0, 0, 0), 3),  # 昏迷
]


@pytest.mark.parametrize(("values", "grade"), B3_CASES)
def test_b3_grading_every_branch(values, grade):
    assert mzt039_b3_grade(*values) == grade
    answers = _answers()
    answers.update(dict(zip(["B.3.1", "B.3.2", "B.3.3", "B.3.4"], values, strict=True)))
    result = score(CODE, answers)
    assert result.group_levels["B.3"]["level"] == grade
    assert any(s.data.get("rule") == "b3_grading" and s.data["level"] == grade for s in result.explanation)


# ---------------------------------------------------------------------------------------------------
# C.2 初步等级
# ---------------------------------------------------------------------------------------------------

C2_CASES = [
    ((0, 0, 0, 0), 0, "0"),
    ((0, 0, 0, 1), 0, "0"),
    ((0, 1, 0, 0), 1, "1a"),
    ((0, 0, 1, 0), 1, "1a"),
    ((0, 0, 0, 2), 1, "1a"),
    ((1, 0, 0, 0), 1, "1b"),
    ((1, 2, 2, 1), 1, "1b"),
    ((1, 2, 2, 2), 2, "2a"),
    ((1, 2, 3, 2), 2, "2a"),
    ((2, 1, 0, 0), 2, "2b"),
    ((2, 2, 2, 0), 2, "2b"),
    ((3, 0, 0, 0), 3, "3a"),
    ((2, 2, 2, 2), 3, "3b"),
    ((2, 3, 0, 0), 3, "3c"),
]


@pytest.mark.parametrize(("grades", "level", "branch"), C2_CASES)
def test_c2_matrix_every_branch(grades, level, branch):
    result = score(CODE, _answers(*grades))

    assert [result.group_levels[g]["level"] for g in ("B.1", "B.2", "B.3", "B.4")] == list(grades)
    assert result.preliminary_level == level
    assert result.level == level  # no C.3 clause applies
    step = next(s for s in result.explanation if s.kind == "combine" and "branch" in s.data)
    assert step.data["branch"] == branch


def _reference_c2(adl, mental, perception, social):
    """standards.md §2.3, transcribed independently of the scorer; None = not covered by the text."""
    others = [mental, perception, social]
    if adl == 3 or adl == mental == perception == social == 2 or (adl == 2 and max(others) == 3):
        return 3
    if (adl == 1 and (others == [2, 2, 2] or 3 in others)) or (
        adl == 2 and len([g for g in others if g in (1, 2)]) in (1, 2)
    ):
        return 2
    if (adl == 0 and (mental >= 1 or perception >= 1 or social == 2)) or (adl == 1 and min(others) <= 1):
        return 1
    if adl == 0 and mental == 0 and perception == 0 and social <= 1:
        return 0
    return None


GRID = list(itertools.product(range(4), repeat=4))
UNCOVERED = {row_key for row_key in GRID if _reference_c2(*row_key) is None}


def test_the_c2_text_leaves_exactly_nine_combinations_uncovered():
    assert sorted(UNCOVERED) == [
        (0, 0, 0, 3),
        (2, 0, 0, 0),
        (2, 1, 1, 1),
        (2, 1, 1, 2),
        (2, 1, 2, 1),
        (2, 1, 2, 2),
        (2, 2, 1, 1),
        (2, 2, 1, 2),
        (2, 2, 2, 1),
    ]


@pytest.mark.parametrize("grades", GRID)
def test_c2_matches_agree_with_the_reference_on_the_whole_grid(grades):
    matches = mzt039_c2_matches(*grades)
    assert (matches[0][0] if matches else None) == _reference_c2(*grades)


def test_the_fallback_table_covers_exactly_the_uncovered_combinations_monotonically():
    table = {
        (row["adl"], row["mental"], row["perception"], row["social"]): row["level"]
        for row in SCALE.rule("c2_uncovered").params["table"]
    }
    assert set(table) == UNCOVERED
    covered = {g: _reference_c2(*g) for g in GRID if g not in UNCOVERED}
    for grades, level in table.items():
        no_worse = [lv for other, lv in covered.items() if all(o <= g for o, g in zip(other, grades, strict=True))]
        same_adl = [lv for other, lv in covered.items() if other[0] == grades[0]]
        assert level == max(max(no_worse), min(same_adl))


@pytest.mark.parametrize(("grades", "level"), [((0, 0, 0, 3), 1), ((2, 0, 0, 0), 2), ((2, 1, 2, 1), 2)])
def test_uncovered_combinations_take_the_fallback_marked_as_our_decision(grades, level):
    result = score(CODE, _answers(*grades))
    assert result.preliminary_level == level
    assert result.verified is False
    assert any(s.startswith("C.2 未覆盖的组合") and "本平台决定" in s for s in result.unverified)
    step = next(s for s in result.explanation if s.kind == "combine" and "branch" in s.data)
    assert step.data["branch"] is None and "本平台决定" in step.text


def test_overlapping_branches_take_the_more_severe_level_marked_as_our_decision():
    result = score(CODE, _answers(1, 3, 0, 0))  # 1b (a 0) and 2a (a 3) both match
    assert result.preliminary_level == 2
    assert any(s.startswith("C.2 条件重叠") for s in result.unverified)


# ---------------------------------------------------------------------------------------------------
# C.3 等级变更条款
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("diagnoses", [["F03"], ["F00.1"], ["F20"], ["F32.9"]])
def test_c3_clause_1_cognitive_impairment_or_mental_illness_raises_one(diagnoses):
    result = score(CODE, _answers(1, diagnoses=diagnoses))
    assert (result.preliminary_level, result.level) == (1, 2)
    assert result.rules_applied == ["c3_cognitive"]
    assert result.verified is True


def test_c3_clause_1_also_fires_on_b21_confirmed_cognitive_impairment_as_our_reading():
    answers = _answers(1)
    answers["B.2.1"] = 2  # B.2 total 2 -> grade 2; preliminary (1, 2, 0, 0) -> 1b
    result = score(CODE, answers)
    assert (result.preliminary_level, result.level) == (1, 2)
    assert result.rules_applied == ["c3_cognitive"]
    assert any("B.2.1" in s and "本平台的读法" in s for s in result.unverified)


@pytest.mark.parametrize(("events", "level"), [(0, 1), (1, 1), (2, 2), (4, 2)])
def test_c3_clause_2_two_or_more_events_raise_one(events, level):
    result = score(CODE, _answers(1, risk=events))
    assert result.level == level


@pytest.mark.parametrize(("stack", "level"), [(True, 2), (False, 1)])
def test_c3_clauses_1_and_2_together_follow_the_stacking_setting(stack, level):
    result = score(CODE, _answers(0, 0, 0, 1, diagnoses=["F03"], risk=2), settings={"stack_level_rules": stack})
    assert result.preliminary_level == 0 and result.level == level
    assert result.rules_applied == ["c3_cognitive", "c3_risk_events"]
    assert any(f"stack_level_rules={str(stack).lower()}" in s for s in result.unverified)


def test_c3_raises_are_capped_at_severe():
    result = score(CODE, _answers(2, 1, diagnoses=["F03"], risk=2))
    assert (result.preliminary_level, result.level) == (2, 3)
    assert [s.data for s in result.explanation if s.kind == "cap"] == [{"uncapped": 4, "level": 3}]


def test_c3_clause_4_preliminary_level_3_is_not_raised_any_further():
    result = score(CODE, _answers(3, diagnoses=["F03"], risk=5))
    assert (result.preliminary_level, result.level, result.level_name) == (3, 3, "重度失能")
    assert result.rules_applied == ["c3_no_raise_at_3"]
    step = next(s for s in result.explanation if s.data.get("rule") == "c3_no_raise_at_3")
    assert "等级不再提高" in step.text
    assert not any(s.data.get("rule") in {"c3_cognitive", "c3_risk_events"} for s in result.explanation)


def test_c3_clause_3_coma_is_severe_and_lets_the_following_items_be_omitted():
    answers = _answers()
    for code in ("B.3.2", "B.3.3", "B.3.4", "B.4.1", "B.4.2", "B.4.3", "B.4.4", "B.4.5"):
        del answers[code]
    answers["B.3.1"] = 3

    result = score(CODE, answers)

    assert (result.preliminary_level, result.level, result.level_name) == (None, 3, "重度失能")
    assert result.rules_applied == ["c3_coma"]
    assert result.group_levels["B.3"]["level"] == 3 and "B.4" not in result.group_levels
    assert "B.3" not in result.group_totals and "B.4" not in result.group_totals


def test_c3_clause_3_coma_with_every_item_answered():
    answers = _answers()
    answers["B.3.1"] = 3
    result = score(CODE, answers)
    assert result.preliminary_level == 1  # (0, 0, 3, 0) -> 1a
    assert (result.level, result.rules_applied) == (3, ["c3_coma"])


def test_only_coma_lets_items_be_omitted():
    answers = _answers()
    del answers["B.4.1"]
    answers["B.3.1"] = 2  # 昏睡
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert [(e.field, e.code) for e in exc.value.errors] == [("B.4.1", "missing_item")]
