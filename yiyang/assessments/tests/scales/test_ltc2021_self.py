"""The LTC self-assessment: every (a类, b类) count of 依赖 to its grade A–G; who may apply."""

import pytest

from yiyang.assessments.scales import InvalidAnswers, score

CODE = "ltc-2021-self"
A_ITEMS = ["a1", "a2", "a3"]
B_ITEMS = ["b1", "b2", "b3"]


def _answers(a_dependent, b_dependent, other="independent"):
    answers = {code: "dependent" if i < a_dependent else other for i, code in enumerate(A_ITEMS)}
    answers.update({code: "dependent" if i < b_dependent else other for i, code in enumerate(B_ITEMS)})
    return answers


# standards.md §3.6, grade by grade.
GRADES = {
    (0, 0): "A",  # 所有项目均独立
    (1, 0): "B",  # a类1项
    (0, 1): "B",  # b类1–2项
    (0, 2): "B",
    (1, 1): "C",  # a类b类各1项
    (0, 3): "C",  # b类3项
    (2, 0): "D",  # a类2项
    (1, 2): "D",  # a类1项+b类2项
    (3, 0): "E",  # a类3项
    (2, 1): "E",  # a类2项+b类1–2项
    (2, 2): "E",
    (1, 3): "E",  # a类1项+b类3项
    (3, 1): "F",  # a类3项+b类1–2项
    (3, 2): "F",
    (2, 3): "F",  # a类2项+b类3项
    (3, 3): "G",  # 所有项目均依赖
}


@pytest.mark.parametrize(("counts", "grade"), sorted(GRADES.items()))
def test_every_combination_of_dependent_counts(counts, grade):
    a, b = counts
    result = score(CODE, _answers(a, b))

    assert result.level_code == grade
    assert result.level == "ABCDEFG".index(grade)
    assert result.level_name == f"{grade}级"
    assert result.group_totals == {"a": a, "b": b}
    assert result.total is None
    assert result.may_apply is (grade in "EFG")
    assert result.verified is False and any("S9" in sentence for sentence in result.unverified)


def test_the_table_covers_all_sixteen_combinations():
    assert len(GRADES) == 16


@pytest.mark.parametrize(("a", "b", "grade", "may_apply"), [(2, 0, "D", False), (3, 0, "E", True)])
def test_the_may_apply_boundary_is_grade_e(a, b, grade, may_apply):
    result = score(CODE, _answers(a, b))
    assert (result.level_code, result.may_apply) == (grade, may_apply)
    assert result.rules_applied == ["may_apply"]
    step = next(s for s in result.explanation if s.data.get("rule") == "may_apply")
    assert ("可以申请" in step.text) is may_apply


def test_partially_independent_does_not_count_as_dependent():
    result = score(CODE, _answers(1, 0, other="partial"))
    assert result.level_code == "B"
    assert result.option_codes["a2"] == "partial"


def test_ratings_are_option_codes_and_a_bare_zero_is_ambiguous():
    answers = _answers(0, 0)
    answers["a1"] = 0
    with pytest.raises(InvalidAnswers) as exc:
        score(CODE, answers)
    assert [(e.field, e.code) for e in exc.value.errors] == [("a1", "ambiguous_score")]
    assert "independent" in exc.value.errors[0].reason and "partial" in exc.value.errors[0].reason


def test_a_bare_one_means_dependent():
    answers = _answers(0, 0)
    answers["a1"] = 1
    assert score(CODE, answers).option_codes["a1"] == "dependent"
