"""The shipped data files: they load, add up, carry the standards.md texts and mark what is unverified."""

import textwrap

import pytest

from yiyang.assessments.scales import SCALE_CODES, ScaleDataError, UnknownScale, get_scale
from yiyang.assessments.scales.loading import DATA_DIR, all_scales, load_scale_file, reachable_totals


def test_every_shipped_data_file_loads_and_there_is_one_per_scale():
    # given / when
    scales = all_scales()

    # then
    assert tuple(scales) == SCALE_CODES
    assert sorted(path.stem for path in DATA_DIR.glob("*.yaml")) == sorted(SCALE_CODES)
    for code, scale in scales.items():
        assert scale.code == code
        assert scale.sources and scale.items and scale.groups and scale.levels


@pytest.mark.parametrize(
    ("code", "group", "maximum"),
    [
        ("gbt42195-2022", None, 90),
        ("ltc-2021", "C1", 100),
        ("ltc-2021", "C2", 16),
        ("ltc-2021", "C3", 12),
        ("barthel", None, 100),
        ("selfcare-phs", None, 37),
        ("mzt039-2013", "B.1", 100),
        ("mzt039-2013", "B.2", 6),
        ("mzt039-2013", "B.3", 14),
        ("mzt039-2013", "B.4", 20),
        ("ltc-2021-self", "a", 3),
        ("ltc-2021-self", "b", 3),
    ],
)
def test_the_item_maxima_add_up_to_the_documented_maximum(code, group, maximum):
    scale = get_scale(code)
    items = scale.items if group is None else [scale.item(c) for c in scale.group(group).items]

    assert sum(item.max_score for item in items) == maximum
    if group is None:
        assert scale.max_total == maximum
    else:
        assert scale.group(group).max == maximum


def test_gbt42195_group_maxima_are_32_15_28_15():
    scale = get_scale("gbt42195-2022")
    assert [(g.code, g.name, g.max, len(g.items)) for g in scale.groups] == [
        ("B.1", "自理能力", 32, 8),
        ("B.2", "基础运动能力", 15, 4),
        ("B.3", "精神状态", 28, 9),
        ("B.4", "感知觉与社会参与", 15, 5),
    ]
    assert scale.item_codes[0] == "B.1.1" and scale.item_codes[-1] == "B.4.5" and len(scale.items) == 26


def test_ltc2021_adl_maximum_is_the_arithmetic_of_the_standard():
    # 10+10+5+10+10+10+15+15+10+5 = 100 (standards.md §3.2)
    scale = get_scale("ltc-2021")
    maxima = [scale.item(code).max_score for code in scale.group("C1").items]
    assert maxima == [10, 10, 5, 10, 10, 10, 15, 15, 10, 5]
    assert sum(maxima) == 100


@pytest.mark.parametrize(
    ("code", "item", "score", "text"),
    [
        ("gbt42195-2022", "B.1.1", 0, "完全依赖他人协助进食，或吞咽困难，或留置营养管"),
        ("gbt42195-2022", "B.1.2", 2, "需要他人协助，但以自身完成为主"),
        ("gbt42195-2022", "B.1.7", 3, "有时出现（每天<1次）便秘或大便失禁，或自行使用开塞露、尿垫等辅助用物"),
        ("gbt42195-2022", "B.2.4", 3, "可独立上下楼梯（连续上下10个~15个台阶），不需要协助"),
        (
            "gbt42195-2022",
            "B.3.4",
            3,
            "出现轻度的记忆紊乱或回忆不能（不能回忆即时信息，3个词语经过5分钟后仅能回忆0~1个）",
        ),
        ("gbt42195-2022", "B.3.8", 0, "近一个月内出现过负性情绪"),
        ("gbt42195-2022", "B.4.3", 2, "…需要少量协助"),
        ("gbt42195-2022", "B.4.4", 2, "能自己搭乘出租车，但不会搭乘其他公共交通工具外出"),
        ("ltc-2021", "C1.7", 5, "在较大程度上依赖他人搀扶（≥2人）或依赖他人帮助使用轮椅等辅助工具才能移动"),
        ("ltc-2021", "C2.2", 2, "能认识一半日常同住的亲人或照护者等，能称呼或知道关系等"),
        ("ltc-2021", "C3.3", 1, "不能完全理解他人的话，只能以简单的单词或手势表达大概意愿"),
        ("selfcare-phs", "grooming", 1, "能独立地洗头、梳头、洗脸、刷牙、剃须等；洗澡需要协助"),
        ("selfcare-phs", "toileting", 5, "经常失禁，在很多提示和协助下尚能如厕或使用便具"),
        ("mzt039-2013", "B.2.1", 2, "已确诊为认知障碍，如老年痴呆"),
        ("barthel", "transfers", 5, "major help (1–2 people, can sit)"),
    ],
)
def test_option_texts_equal_the_standards_md_text(code, item, score, text):
    options = get_scale(code).item(item).options_with_score(score)
    assert [option.text for option in options] == [text]


def test_gbt42195_b39_score_zero_is_split_into_stupor_and_coma():
    item = get_scale("gbt42195-2022").item("B.3.9")
    assert [(o.score, o.code, o.text) for o in item.options_with_score(0)] == [
        (0, "stupor", "昏睡（一般外界刺激不能使其觉醒，强烈刺激下可短时清醒并简短回答提问，刺激减弱后很快入睡）"),
        (0, "coma", "昏迷（意识丧失，随意运动丧失，对一般刺激全无反应）"),
    ]


def test_gbt42195_items_on_the_assistance_scale_share_its_five_options():
    scale = get_scale("gbt42195-2022")
    expected = [
        (4, "独立完成，不需要协助"),
        (3, "在他人指导或提示下完成"),
        (2, "需要他人协助，但以自身完成为主"),
        (1, "主要依靠他人协助，自身能给予配合"),
        (0, "完全依赖他人协助，且不能给予配合"),
    ]
    for code in ("B.1.2", "B.1.3", "B.1.4", "B.1.5", "B.1.8", "B.2.1", "B.2.2"):
        assert [(o.score, o.text) for o in scale.item(code).options] == expected


def test_unverified_values_are_marked_in_the_data():
    ltc = get_scale("ltc-2021")
    assert all(not band.verified for group in ltc.groups for band in group.bands)
    assert ltc.combination is not None and not ltc.combination.verified
    assert {ltc.item(code).options_with_score(5)[0].verified for code in ("C1.6", "C1.9")} == {False}
    assert ltc.source("U-3.5a").verified is False and ltc.source("INF-3.2").verified is False
    assert set(ltc.policy_keys) == {"group_bands", "combination"}

    selfcheck = get_scale("ltc-2021-self")
    assert selfcheck.source("S9").verified is False
    assert selfcheck.combination is not None and not selfcheck.combination.verified

    gbt = get_scale("gbt42195-2022")
    assert gbt.rule("coma").verified is False  # 完全失能 vs 重度失能 conflict
    assert [(s.code, s.default, s.verified) for s in gbt.settings] == [("stack_level_rules", True, False)]
    assert all(band.verified for band in gbt.bands)

    mzt = get_scale("mzt039-2013")
    assert mzt.rule("c2_uncovered").verified is False and mzt.rule("c2_overlap").verified is False
    assert mzt.status == "superseded" and mzt.superseded_by == "gbt42195-2022"


def test_ltc2021_self_grades_are_letters_with_levels_and_only_e_f_g_may_apply():
    scale = get_scale("ltc-2021-self")
    assert [(lv.code, lv.level, lv.may_apply) for lv in scale.levels] == [
        ("A", 0, False),
        ("B", 1, False),
        ("C", 2, False),
        ("D", 3, False),
        ("E", 4, True),
        ("F", 5, True),
        ("G", 6, True),
    ]


def test_ltc2021_level_names():
    assert [lv.name for lv in get_scale("ltc-2021").levels] == [
        "基本正常",
        "轻度失能",
        "中度失能",
        "重度失能Ⅰ级",
        "重度失能Ⅱ级",
        "重度失能Ⅲ级",
    ]


def test_reachable_totals_of_barthel_are_the_multiples_of_five():
    assert reachable_totals(get_scale("barthel").items) == frozenset(range(0, 101, 5))


def test_get_scale_refuses_an_unknown_code():
    with pytest.raises(UnknownScale) as exc:
        get_scale("nope")
    assert [(e.field, e.code) for e in exc.value.errors] == [("scale", "unknown_scale")]
    assert "gbt42195-2022" in exc.value.errors[0].reason


# ---------------------------------------------------------------------------------------------------
# A malformed data file fails loudly, naming the file and the problem.
# ---------------------------------------------------------------------------------------------------

_MINIMAL = """
code: {code}
version: 1
name: 测试量表
standard: TEST
status: current
issued: null
effective: null
superseded: null
superseded_by: null
dates_note: ""
direction: higher_is_better
max_total: {max_total}
note: ""
sources:
  - {{id: S1, title: t, reference: r, verified: true}}
facts: []
groups:
  - {{code: g, name: 组, max: {group_max}, items: [i1, i2]}}
items:
  - {{code: i1, group: g, text: 题1, options: [{{score: 1, text: 是}}, {{score: 0, text: 否}}]}}
  - {{code: i2, group: g, text: 题2, options: [{{score: {i2_max}, text: 是}}, {{score: 0, text: 否}}]}}
levels:
  - {{level: 0, code: "0", name: 好}}
  - {{level: 1, code: "1", name: 差}}
bands:
  - {{level: 0, name: 好, min: {good_min}, max: 2}}
  - {{level: 1, name: 差, min: 0, max: {bad_max}}}
rules: []
settings: []
policy_keys: []
"""


def _write(tmp_path, name="demo", **values):
    params = {"code": name, "max_total": 2, "group_max": 2, "i2_max": 1, "good_min": 2, "bad_max": 1} | values
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(_MINIMAL.format(**params)), encoding="utf-8")
    return path


def test_a_well_formed_minimal_file_loads(tmp_path):
    scale = load_scale_file(_write(tmp_path))
    assert scale.max_total == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_total": 3}, "max_total: 应等于各题最高分之和 2，实为 3"),
        ({"group_max": 5}, "groups[0].max: 应等于本组各题最高分之和 2，实为 5"),
        ({"bad_max": 0}, "bands: 可能的得分 1 不属于任何分级"),
        ({"good_min": 1}, "bands: 得分 1 同时属于分级 0、1"),
        ({"code": "other"}, "code: 应与文件名一致（demo），实为“other”"),
        ({"i2_max": "x"}, "items[1].options[0].score: 应为整数"),
    ],
)
def test_a_malformed_data_file_names_the_file_and_the_problem(tmp_path, values, message):
    path = _write(tmp_path, **values)

    with pytest.raises(ScaleDataError) as exc:
        load_scale_file(path)

    assert str(path) in str(exc.value)
    assert message in str(exc.value)


def test_broken_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScaleDataError, match=r"broken\.yaml: 无法读取或解析 YAML"):
        load_scale_file(path)
