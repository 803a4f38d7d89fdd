from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import PayrollRun, PolicyFile
from yiyang.benefits.policy import Policy, fingerprint
from yiyang.benefits.policy_selectors import district_file_template, policy_sections
from yiyang.benefits.selectors import district_policy
from yiyang.benefits.services.policy_files import policy_file_load
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.testing import build_world, grant_permissions

pytestmark = pytest.mark.django_db

DIBAO = "benefits.resident_care_subsidy.monthly.dibao"

V1 = """\
resident_care_subsidy:
  monthly:
    dibao:
      level_2:
        values:
          2027-01-01: {value: 950, metadata: {status: verified}, reference: [{title: 区民政局 2026 年 12 号文, href: https://example.org/12}]}
      level_3:
        values:
          2027-01-01: {value: 1150, metadata: {status: single_source}}
"""
V2 = """\
resident_care_subsidy:
  monthly:
    dibao:
      level_2:
        values:
          2027-03-01: {value: 980, metadata: {status: verified}}
"""


@pytest.fixture
def world():
    return build_world()


def load(world, content, *, actor="bureau", effective_from=date(2027, 1, 1), note="区级标准"):
    return policy_file_load(
        actor=world.users[actor],
        district=world.district,
        name="resident.yaml",
        content=content.encode() if isinstance(content, str) else content,
        effective_from=effective_from,
        note=note,
    )


def refusal(world, content, **kwargs):
    stored = PolicyFile.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        load(world, content, **kwargs)
    assert PolicyFile.objects.count() == stored
    return [(e.field, e.code, e.reason) for e in refused.value.errors]


def test_a_valid_file_is_stored_as_version_1_and_its_values_apply_from_their_dates(world):
    row = load(world, V1)
    assert (row.version, row.name, row.effective_from, row.note) == (1, "resident.yaml", date(2027, 1, 1), "区级标准")
    assert row.fingerprint == fingerprint(V1) and row.content == V1
    assert row.parameters == {
        f"{DIBAO}.level_2": [
            {
                "start": "2027-01-01",
                "value": "950",
                "status": "verified",
                "reference": [["区民政局 2026 年 12 号文", "https://example.org/12"]],
            }
        ],
        f"{DIBAO}.level_3": [{"start": "2027-01-01", "value": "1150", "status": "single_source", "reference": []}],
    }
    policy = district_policy(district_id=world.district.pk)
    before, after = policy.at(f"{DIBAO}.level_2", date(2026, 12, 31)), policy.at(f"{DIBAO}.level_2", date(2027, 1, 1))
    assert (before.value, before.source, before.status) == (Decimal("900"), "shipped", "example")
    assert (after.value, after.source, after.status) == (Decimal("950"), "district:1", "verified")
    assert after.reference == (("区民政局 2026 年 12 号文", "https://example.org/12"),)


def test_version_2_replaces_version_1_for_the_paths_it_names_only(world):
    load(world, V1)
    row = load(world, V2, effective_from=date(2027, 3, 1))
    assert row.version == 2
    policy = district_policy(district_id=world.district.pk)
    level_2 = [(v.start, v.value, v.source) for v in policy.parameters[f"{DIBAO}.level_2"].values]
    # v1's 950 from January is gone for level_2: v2 names the path and replaces its values.
    assert level_2 == [(date(2024, 1, 1), Decimal("900"), "shipped"), (date(2027, 3, 1), Decimal("980"), "district:2")]
    assert policy.at(f"{DIBAO}.level_2", date(2027, 2, 1)).value == Decimal("900")
    # level_3 is not in v2: v1's value stays.
    assert policy.at(f"{DIBAO}.level_3", date(2027, 1, 1)).source == "district:1"
    sections = policy_sections(policy=policy, today=date(2027, 3, 5), scheme="resident_care_subsidy")
    row_2 = next(p for p in sections[0].parameters if p.path == f"{DIBAO}.level_2")
    assert row_2.current is not None
    assert (row_2.current.value, row_2.current.source_label, row_2.current.status_label) == (
        Decimal("980"),
        "区级文件 v2",
        "已核实",
    )


def test_loading_is_audited(world):
    row = load(world, V1)
    event = AuditEvent.objects.get(entity_type="benefit_policy_file")
    assert (event.action, event.entity_id, event.district_id, event.actor) == (
        "create",
        str(row.public_id),
        world.district.pk,
        world.users["bureau"],
    )
    assert event.summary == "上传区级补贴政策文件第 1 版（2 个参数，2027-01-01 起）"
    assert event.fields == [f"{DIBAO}.level_2", f"{DIBAO}.level_3"]


def test_an_identical_file_is_refused_as_changing_nothing(world):
    load(world, V1)
    errors = refusal(world, V1)
    assert errors == [("file", "unchanged", "与本区当前最新的第 1 版文件完全相同，无需上传")]
    assert PolicyFile.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "resident_care_subsidy:\n  monthly:\n    dibao:\n      level_9:\n        values:\n"
            "          2027-01-01: {value: 1, metadata: {status: verified}}\n",
            f"{DIBAO}.level_9：不是已有的参数（只能设置已有参数的取值）",
        ),
        (
            "resident_care_subsidy:\n  monthly:\n    dibao:\n      level_2:\n        values:\n"
            "          2026-12-01: {value: 1, metadata: {status: verified}}\n",
            f"{DIBAO}.level_2：取值日期 2026-12-01 早于本文件的生效日期 2027-01-01",
        ),
        (
            "resident_care_subsidy:\n  monthly:\n    dibao:\n      level_2:\n        values:\n"
            "          2027-01-01: {value: 1}\n",
            f"{DIBAO}.level_2：2027-01-01 的 metadata.status 应为 verified、single_source 或 example",
        ),
        (
            "resident_care_subsidy:\n  monthly:\n    dibao:\n      level_2:\n        values:\n"
            "          2027-01-01: {value: 1.005, metadata: {status: verified}}\n",
            f"{DIBAO}.level_2：value 最多两位小数（元到分）",
        ),
        ("resident_care_subsidy: [1, 2\n", None),
        ("- 1\n- 2\n", "文件：文件应为以参数名为键的映射"),
    ],
    ids=["unknown-parameter", "before-effective-date", "no-status", "three-decimals", "bad-yaml", "not-a-mapping"],
)
def test_a_bad_file_is_refused_naming_the_parameter_and_the_reason(world, content, expected):
    errors = refusal(world, content)
    assert [(f, c) for f, c, _r in errors] == [("file", "invalid_policy")]
    if expected is None:
        assert errors[0][2].startswith("文件：无法读取 YAML：")
    else:
        assert errors[0][2] == expected


def test_aliases_and_deep_nesting_are_refused_before_the_document_is_built(world):
    bomb = "a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert refusal(world, bomb) == [
        ("file", "invalid_policy", "文件不能使用 YAML 锚点和别名（& 与 *），请把每个取值写出来")
    ]
    deep = "a: " + "[" * 40 + "]" * 40 + "\n"
    assert refusal(world, deep) == [("file", "invalid_policy", "文件嵌套超过 16 层，不是参数文件的结构")]


def test_size_and_encoding_are_checked_before_parsing(world):
    assert refusal(world, b"# " + b"x" * (512 * 1024)) == [("file", "too_large", "文件超过 512 KB")]
    assert refusal(world, "resident_care_subsidy: 低保标准".encode("gbk")) == [
        ("file", "encoding", "文件应为 UTF-8 编码的 YAML")
    ]
    assert refusal(world, b"") == [("file", "required", "请选择要上传的政策文件")]


def test_every_field_error_is_reported_at_once(world):
    errors = refusal(world, b"", effective_from=None, note="长" * 501)
    assert [(f, c) for f, c, _r in errors] == [
        ("note", "max_length"),
        ("effective_from", "required"),
        ("file", "required"),
    ]


def test_a_date_inside_a_locked_payroll_month_is_refused(world):
    PayrollRun.objects.create(
        district=world.district,
        month=date(2027, 1, 1),
        status="locked",
        computed_at=timezone.now(),
        computed_by=world.users["bureau"],
        locked_at=timezone.now(),
    )
    errors = refusal(world, V1)
    assert errors == [("effective_from", "locked_month", "2027-01 及以前的发放表已锁定，生效日期应在其后")]


def test_only_a_district_officer_with_the_right_loads(world):
    with pytest.raises(Forbidden):
        load(world, V1, actor="health_officer")
    # A street account granted the right is still not the district.
    grant_permissions(world.users["street0"], "benefits.policy")
    with pytest.raises(Forbidden) as refused:
        load(world, V1, actor="street0")
    assert refused.value.message == "只有区级主管人员可以修改本区补贴政策参数"
    assert PolicyFile.objects.count() == 0 and not AuditEvent.objects.filter(entity_type="benefit_policy_file")


def test_the_template_is_a_district_file_to_fill_in(world):
    policy = Policy.for_district()
    text = district_file_template(scheme="bed_operation_subsidy", policy=policy, today=date(2026, 12, 3))
    assert "bed_operation_subsidy:" in text and "      2027-01-01:" in text
    assert "value:  # 现行 1200 元 · 未核实（单一来源） · 自 2023-11-10 起" in text
    # Unfilled, it is refused naming the first parameter.
    errors = refusal(world, text)
    nursing = "benefits.bed_operation_subsidy.per_bed_year.nursing"
    assert errors == [
        ("file", "invalid_policy", f"{nursing}：2027-01-01 的 metadata.status 应为 verified、single_source 或 example")
    ]
    errors = refusal(world, text.replace("{status: }", "{status: verified}"))
    assert errors == [("file", "invalid_policy", f"{nursing}：value 应为数字")]
    filled = text.replace("value:  #", "value: 1300 #").replace("{status: }", "{status: verified}")
    row = load(world, filled)
    assert sorted(row.parameters) == [
        "benefits.bed_operation_subsidy.nursing_from_level",
        "benefits.bed_operation_subsidy.per_bed_year.non_nursing",
        "benefits.bed_operation_subsidy.per_bed_year.nursing",
    ]
