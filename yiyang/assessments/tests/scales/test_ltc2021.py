"""LTC 2021: group bands at every boundary, every cell of the combination table, unverified marks."""

import pytest

from yiyang.assessments.scales import score

from .helpers import answers_for

CODE = "ltc-2021"
GRADE_NAMES = ["能力完好", "轻度受损", "中度受损", "重度受损"]


@pytest.mark.parametrize(
    ("group", "total", "grade"),
    [
        ("C1", 100, 0),
        ("C1", 95, 1),
        ("C1", 65, 1),
        ("C1", 60, 2),
        ("C1", 45, 2),
        ("C1", 40, 3),
        ("C1", 0, 3),
        ("C2", 16, 0),
        ("C2", 15, 1),
        ("C2", 12, 1),
        ("C2", 11, 2),
        ("C2", 4, 2),
        ("C2", 3, 3),
        ("C2", 0, 3),
        ("C3", 12, 0),
        ("C3", 11, 1),
        ("C3", 8, 1),
        ("C3", 7, 2),
        ("C3", 4, 2),
        ("C3", 3, 3),
        ("C3", 0, 3),
    ],
)
def test_group_total_to_grade_at_every_band_boundary(group, total, grade):
    result = score(CODE, answers_for(CODE, **{group: total}))

    assert result.group_totals[group] == total
    assert result.group_levels[group] == {"level": grade, "name": GRADE_NAMES[grade]}
    band_step = next(s for s in result.explanation if s.kind == "band" and s.data["group"] == group)
    assert band_step.data["band"]["verified"] is False


# The table of standards.md §3.5a, rows ADL grade, columns the worse of 认知 and 感知觉与沟通.
TABLE = [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]]
LEVEL_NAMES = ["基本正常", "轻度失能", "中度失能", "重度失能Ⅰ级", "重度失能Ⅱ级", "重度失能Ⅲ级"]
ADL_TOTAL = {0: 100, 1: 80, 2: 50, 3: 20}
COGNITION_TOTAL = {0: 16, 1: 13, 2: 8, 3: 2}
PERCEPTION_TOTAL = {0: 12, 1: 9, 2: 5, 3: 1}


@pytest.mark.parametrize("adl", range(4))
@pytest.mark.parametrize("worse", range(4))
@pytest.mark.parametrize("worse_group", ["C2", "C3"])
def test_every_cell_of_the_combination_table(adl, worse, worse_group):
    # given: the worse of the other two is `worse`, the other one is 能力完好 (0)
    totals = {"C1": ADL_TOTAL[adl], "C2": COGNITION_TOTAL[0], "C3": PERCEPTION_TOTAL[0]}
    totals[worse_group] = (COGNITION_TOTAL if worse_group == "C2" else PERCEPTION_TOTAL)[worse]

    # when
    result = score(CODE, answers_for(CODE, **totals))

    # then
    expected = TABLE[adl][worse]
    assert (result.level, result.level_name, result.level_code) == (expected, LEVEL_NAMES[expected], str(expected))
    assert result.total is None
    cell = [s for s in result.explanation if s.kind == "combine" and "row" in s.data]
    assert cell[0].data == {"row": adl, "column": worse, "level": expected, "verified": False}
    assert any("组合表中" in sentence for sentence in result.unverified)


def test_the_column_is_the_worse_of_cognition_and_perception():
    result = score(CODE, answers_for(CODE, C1=80, C2=13, C3=5))  # grades 1, 1, 2
    assert result.level == TABLE[1][2]
    worse_step = next(s for s in result.explanation if s.kind == "combine" and "worst" in s.data)
    assert worse_step.data == {"columns": {"C2": 1, "C3": 2}, "worst": 2}
    assert "感知觉与沟通能力" in worse_step.text


def test_a_full_score_is_basic_normal_and_still_unverified():
    result = score(CODE, answers_for(CODE))
    assert result.group_totals == {"C1": 100, "C2": 16, "C3": 12}
    assert result.level == 0 and result.level_name == "基本正常"
    assert result.verified is False
    # one sentence per band used (three) and one for the table cell
    assert len(result.unverified) == 4
    assert all("U-3.5a" in sentence for sentence in result.unverified)


@pytest.mark.parametrize("item", ["C1.6", "C1.9"])
def test_the_inferred_five_point_options_are_named_when_used(item):
    answers = answers_for(CODE)
    answers[item] = 5
    result = score(CODE, answers)
    assert result.group_totals["C1"] == 95
    assert any(sentence.startswith(f"{item}") and "推断" in sentence for sentence in result.unverified)


def test_an_officer_policy_replaces_bands_and_table_and_makes_the_result_verified():
    policy = {
        "source": "医保办发〔2021〕37号 附件（核对后）",
        "verified": True,
        "group_bands": {
            code: [
                {"level": 0, "name": "能力完好", "min": top, "max": top},
                {"level": 1, "name": "轻度受损", "min": low1, "max": top - 1},
                {"level": 2, "name": "中度受损", "min": low2, "max": low1 - 1},
                {"level": 3, "name": "重度受损", "min": 0, "max": low2 - 1},
            ]
            for code, top, low1, low2 in (("C1", 100, 65, 45), ("C2", 16, 12, 4), ("C3", 12, 8, 4))
        },
        "combination": [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]],
    }
    result = score(CODE, answers_for(CODE, C1=20, C2=2), policy=policy)
    assert result.level == 5
    assert result.verified is True and result.unverified == []
    assert result.policy is not None and result.policy.replaced == ("group_bands", "combination")
    assert result.as_dict()["policy"]["source"] == "医保办发〔2021〕37号 附件（核对后）"


def test_a_different_officer_table_changes_the_level():
    policy = {"source": "本地试行口径", "verified": False, "combination": [[0, 1, 2, 3]] * 4}
    result = score(CODE, answers_for(CODE, C1=20, C2=2), policy=policy)
    assert result.level == 3
    assert any("POLICY" in sentence and "本地试行口径" in sentence for sentence in result.unverified)
