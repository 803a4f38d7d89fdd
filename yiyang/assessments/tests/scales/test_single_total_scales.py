"""Barthel and the 老年人生活自理能力评估表: every band boundary and its neighbour."""

import pytest

from yiyang.assessments.scales import InvalidPolicy, score

from .helpers import answers_for


@pytest.mark.parametrize(
    ("total", "level", "name"),
    [
        (100, 0, "能力完好"),
        (95, 1, "轻度受损"),
        (65, 1, "轻度受损"),
        (60, 2, "中度受损"),
        (45, 2, "中度受损"),
        (40, 3, "重度受损"),
        (0, 3, "重度受损"),
    ],
)
def test_barthel_bands_of_mzt039_b1(total, level, name):
    result = score("barthel", answers_for("barthel", total))

    assert (result.total, result.level, result.level_name, result.level_code) == (total, level, name, str(level))
    assert result.group_totals == {"adl": total}
    assert result.verified is True
    assert [s.kind for s in result.explanation] == ["sum", "band"]


def test_barthel_refuses_a_score_between_the_options():
    from yiyang.assessments.scales import InvalidAnswers

    answers = answers_for("barthel", 100)
    answers["feeding"] = 7
    with pytest.raises(InvalidAnswers) as exc:
        score("barthel", answers)
    assert [(e.field, e.code) for e in exc.value.errors] == [("feeding", "invalid_score")]
    assert "10、5、0" in exc.value.errors[0].reason


LOCAL_BANDS = {
    "source": "本地护理等级口径（示例）",
    "verified": False,
    "note": "96–100 / 75–95 / 46–74 / ≤45",
    "bands": [
        {"level": 0, "name": "自理", "min": 96, "max": 100},
        {"level": 1, "name": "轻度依赖", "min": 75, "max": 95},
        {"level": 2, "name": "中度依赖", "min": 46, "max": 74},
        {"level": 3, "name": "重度依赖", "min": 0, "max": 45},
    ],
}


@pytest.mark.parametrize(("total", "level", "name"), [(100, 0, "自理"), (95, 1, "轻度依赖"), (45, 3, "重度依赖")])
def test_barthel_bands_can_be_replaced_by_a_local_banding(total, level, name):
    result = score("barthel", answers_for("barthel", total), policy=LOCAL_BANDS)
    assert (result.level, result.level_name) == (level, name)
    assert result.verified is False
    assert any("本地护理等级口径" in sentence for sentence in result.unverified)


def test_a_local_banding_that_misses_totals_is_refused():
    policy = dict(LOCAL_BANDS, bands=[{"level": 0, "name": "自理", "min": 50, "max": 100}])
    with pytest.raises(InvalidPolicy) as exc:
        score("barthel", answers_for("barthel", 100), policy=policy)
    assert [(e.field, e.reason) for e in exc.value.errors] == [
        ("policy.bands", "可能的得分 0–45 不属于任何分级"),
    ]


@pytest.mark.parametrize(
    ("total", "level", "name"),
    [
        (0, 0, "可自理"),
        (3, 0, "可自理"),
        (4, 1, "轻度依赖"),
        (8, 1, "轻度依赖"),
        (9, 2, "中度依赖"),
        (18, 2, "中度依赖"),
        (19, 3, "不能自理"),
        (37, 3, "不能自理"),
    ],
)
def test_selfcare_phs_bands_of_the_filling_instructions(total, level, name):
    result = score("selfcare-phs", answers_for("selfcare-phs", total))
    assert (result.total, result.level, result.level_name) == (total, level, name)
    assert result.verified is True


def test_selfcare_phs_has_no_replaceable_policy():
    with pytest.raises(InvalidPolicy) as exc:
        score("selfcare-phs", answers_for("selfcare-phs", 0), policy={"source": "x", "verified": True})
    assert [e.field for e in exc.value.errors] == ["policy"]
