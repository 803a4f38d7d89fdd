"""Reads of the subsidy policy as people see it: each scheme's parameters with every dated value, its
mark and source; the district's loaded files; the template of a district file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import yaml
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yiyang.areas.models import Area
from yiyang.benefits.choices import Scheme
from yiyang.benefits.models import PolicyFile
from yiyang.benefits.policy import PARAMETERS_DIR, DatedValue, Parameter, Policy, shipped_parameters
from yiyang.core.text import in_language

# Where each scheme's parameters live (dotted prefixes). A parameter shared by two schemes (the care
# worker awards' minimum years) is listed under both.
SCHEME_PREFIXES: dict[str, tuple[str, ...]] = {
    Scheme.STARTUP: ("benefits.startup_subsidy",),
    Scheme.BED_OPERATION: ("benefits.bed_operation_subsidy",),
    Scheme.RATING_REWARD: ("benefits.rating_reward",),
    Scheme.RESIDENT_CARE: ("benefits.resident_care_subsidy",),
    Scheme.CARE_WORKER_ENTRY: ("benefits.care_worker_award.entry", "benefits.care_worker_award.minimum_years"),
    Scheme.CARE_WORKER_SERVICE: (
        "benefits.care_worker_award.service",
        "benefits.care_worker_award.minimum_years",
        "benefits.care_worker_award.long_service_years",
    ),
    Scheme.TALENT_ENTRY: ("benefits.talent_award.entry",),
    Scheme.TALENT_SKILL: ("benefits.talent_award.skill",),
    Scheme.TRAINING: ("benefits.training_subsidy",),
}

STATUS_LABELS = {
    "verified": "已核实",
    "single_source": "未核实（单一来源）",
    "example": "示例值",
}
UNIT_LABELS = {
    "currency-CNY": "元",
    "level": "级",
    "year": "年",
    "bed": "张",
}
# Units whose values are whole numbers (a level, a count of years or beds).
WHOLE_UNITS = frozenset({"level", "year", "bed"})


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def unit_label(unit: str) -> str:
    return _(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit


def source_label(parameter: Parameter, value: DatedValue) -> str:
    """Where a value comes from: the shipped file's path, 区级文件 vN, or 草拟值 (a what-if draft)."""
    if value.source == "shipped":
        return f"data/parameters/{parameter.file}"
    if value.source.startswith("district:"):
        return _("区级文件 v%(version)s") % {"version": value.source.split(":", 1)[1]}
    return _("草拟值")


def schemes_of(path: str) -> list[str]:
    return [
        scheme
        for scheme, prefixes in SCHEME_PREFIXES.items()
        if any(path == p or path.startswith(p + ".") for p in prefixes)
    ]


def scheme_paths(scheme: str) -> list[str]:
    prefixes = SCHEME_PREFIXES[scheme]
    return [path for path in shipped_parameters() if any(path == p or path.startswith(p + ".") for p in prefixes)]


@cache
def _node_descriptions_both() -> dict[str, tuple[str, str]]:
    """(Chinese `description`, English `metadata.description_en`) of every node of the shipped files
    (leaves too), by dotted path."""
    out: dict[str, tuple[str, str]] = {}

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        if isinstance(node.get("description"), str):
            metadata = node.get("metadata")
            english = metadata.get("description_en") if isinstance(metadata, dict) else None
            out[prefix] = (node["description"], english if isinstance(english, str) else "")
        if "values" in node:
            return
        for key, child in node.items():
            if key not in ("description", "metadata", "reference", "documentation"):
                walk(child, f"{prefix}.{key}")

    for path in sorted(PARAMETERS_DIR.rglob("*.yaml")):
        relative = path.relative_to(PARAMETERS_DIR).with_suffix("")
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), ".".join(relative.parts))
    return out


def node_descriptions() -> dict[str, str]:
    """The Chinese `description` of every node of the shipped files (leaves too), by dotted path."""
    return {path: chinese for path, (chinese, _english) in _node_descriptions_both().items()}


def node_description(path: str) -> str:
    """The description of a shipped node (or leaf) in the active language ("" if it has none)."""
    chinese, english = _node_descriptions_both().get(path, ("", ""))
    return in_language(chinese, english)


def localised_descriptions() -> dict[str, str]:
    """`node_descriptions` in the active language (English where the file gives it)."""
    return {path: in_language(chinese, english) for path, (chinese, english) in _node_descriptions_both().items()}


def parameter_label(path: str) -> str:
    """The descriptions of the nodes below the scheme's file, joined (月标准（元） › 特困 › 能力完好), in the
    active language."""
    descriptions = localised_descriptions()
    parts = path.split(".")
    labels = [
        descriptions[".".join(parts[:i])] for i in range(3, len(parts) + 1) if ".".join(parts[:i]) in descriptions
    ]
    return " › ".join(labels) or path


@dataclass(frozen=True)
class ValueRow:
    start: date
    value: Decimal
    status: str
    status_label: str
    source: str
    source_label: str
    references: tuple[tuple[str, str], ...]
    current: bool


@dataclass(frozen=True)
class ParameterRow:
    path: str
    label: str
    description: str
    unit: str
    unit_label: str
    file: str
    current: ValueRow | None
    values: tuple[ValueRow, ...]
    description_en: str = ""

    @property
    def shown_description(self) -> str:
        """The description in the active language."""
        return in_language(self.description, self.description_en)


@dataclass(frozen=True)
class SchemeSection:
    scheme: str
    label: str
    description: str
    parameters: tuple[ParameterRow, ...]

    @property
    def example_count(self) -> int:
        return sum(1 for p in self.parameters if p.current is not None and p.current.status == "example")


def parameter_row(policy: Policy, path: str, today: date) -> ParameterRow:
    parameter = policy.parameters[path]
    current = parameter.at(today)
    rows = tuple(
        ValueRow(
            start=v.start,
            value=v.value,
            status=v.status,
            status_label=status_label(v.status),
            source=v.source,
            source_label=source_label(parameter, v),
            references=v.reference,
            current=v is current,
        )
        for v in parameter.values
    )
    return ParameterRow(
        path=path,
        label=parameter_label(path),
        description=parameter.description,
        description_en=parameter.description_en,
        unit=parameter.unit,
        unit_label=unit_label(parameter.unit),
        file=parameter.file,
        current=next((r for r in rows if r.current), None),
        values=rows,
    )


def policy_sections(*, policy: Policy, today: date, scheme: str | None = None) -> list[SchemeSection]:
    """Every scheme (or one) with its parameters, each with its value in force `today` and every dated
    value: mark, source (shipped file or district file version) and reference."""
    descriptions = localised_descriptions()
    sections = []
    for value in Scheme.values:
        if scheme and value != scheme:
            continue
        paths = scheme_paths(value)
        root = SCHEME_PREFIXES[value][0]
        file_root = ".".join(root.split(".")[:2])
        sections.append(
            SchemeSection(
                scheme=value,
                label=str(Scheme(value).label),
                description=descriptions.get(root) or descriptions.get(file_root, ""),
                parameters=tuple(parameter_row(policy, path, today) for path in paths),
            )
        )
    return sections


def policy_parameter_choices() -> list[tuple[str, str]]:
    """(path, "scheme · label") for every shipped parameter, in scheme order, for the what-if form."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for scheme in Scheme.values:
        for path in scheme_paths(scheme):
            if path in seen:
                continue
            seen.add(path)
            out.append((path, f"{Scheme(scheme).label} · {parameter_label(path)}"))
    return out


def policy_files_of(*, district: Area) -> QuerySet[PolicyFile]:
    """The district's loaded files, newest version first, with who loaded them."""
    return PolicyFile.objects.filter(district=district).select_related("loaded_by").order_by("-version")


def _nest(paths: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.split(".")[1:]:
            node = node.setdefault(part, {})
    return tree


def district_file_template(*, scheme: str, policy: Policy, today: date) -> str:
    """A district file to fill in for one scheme: the shipped tree of its parameters, each with one
    value dated the 1st of next month left empty (`value:`, `status:`), the value in force and its
    mark as a comment. Loading it unfilled is refused (a value must be a number, a status given)."""
    paths = scheme_paths(scheme)
    start = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    descriptions = node_descriptions()
    lines = [
        f"# {Scheme(scheme).label}：区级政策文件模板（OpenFisca 参数格式）",
        "# 在每个 value: 后填写本区取值（元、级、年等见注释）；生效日期（values 下的键）不得早于上传时填写的生效日期。",
        "# 每个取值都要填写 metadata.status：verified（已核实：有正式文件）、single_source（单一来源，未核实）或 example（示例值）。",
        "# 可为每个取值加 reference: [{title: 文件名称及文号, href: 链接}]；不需要修改的参数整段删除即可。",
    ]

    def emit(node: dict[str, Any], prefix: str, depth: int) -> None:
        indent = "  " * depth
        for key, child in node.items():
            path = f"{prefix}.{key}"
            lines.append(f"{indent}{key}:")
            description = descriptions.get(path, "")
            if description:
                # A JSON string is a YAML double-quoted scalar: safe whatever the description holds.
                lines.append(f"{indent}  description: {json.dumps(description, ensure_ascii=False)}")
            if child:
                emit(child, path, depth + 1)
                continue
            parameter = policy.parameters[path]
            current = parameter.at(today) or parameter.values[-1]
            unit = unit_label(parameter.unit)
            lines.append(f"{indent}  values:")
            lines.append(f"{indent}    {start.isoformat()}:")
            lines.append(
                f"{indent}      value:  # 现行 {current.value} {unit} · {status_label(current.status)}"
                f" · 自 {current.start.isoformat()} 起"
            )
            lines.append(f"{indent}      metadata: {{status: }}  # verified、single_source 或 example")

    emit(_nest(paths), "benefits", 0)
    return "\n".join(lines) + "\n"
