"""Subsidy parameters: dated values in OpenFisca's parameter format, shipped and loaded by districts.

A parameter file is a tree of nodes; a leaf has `values` keyed by the date from which each value
holds (OpenFisca: `values: {2024-01-01: {value: 600, metadata: {...}}}`), a `description`, and
inherits `reference` from the nearest node that has one. Our one addition sits where OpenFisca keeps
free metadata: each value's `metadata.status` is `verified`, `single_source` (stated by one secondary
source: unverified, confirm with the client) or `example` (nobody could find it: shipped only so that
the demo runs; a payroll outside the demo refuses it until the district loads its own value).

Everything here is pure: no database. Services pass the district's loaded files in as `Override`s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PARAMETERS_DIR = Path(__file__).parent / "data" / "parameters"
STATUSES = ("verified", "single_source", "example")
NODE_KEYS = frozenset({"description", "metadata", "reference", "documentation"})
LEAF_KEYS = frozenset({"description", "metadata", "reference", "documentation", "values", "unit"})
VALUE_KEYS = frozenset({"value", "metadata", "reference", "unit"})
MAX_VALUE = Decimal("100000000")


class PolicyError(ValueError):
    """A parameter document that cannot be used; `path` names the parameter (dotted), or is empty."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class DatedValue:
    """One value of a parameter and where it comes from."""

    start: date
    value: Decimal
    status: str
    source: str  # "shipped" or "district:<version>"
    reference: tuple[tuple[str, str], ...] = ()

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}|{self.source}"


@dataclass(frozen=True)
class Parameter:
    path: str
    description: str
    unit: str
    reference: tuple[tuple[str, str], ...]
    file: str
    values: tuple[DatedValue, ...]  # ascending by start
    description_en: str = ""  # metadata.description_en: the English beside the Chinese description

    def at(self, on: date) -> DatedValue | None:
        """The value in force on `on` (the latest start on or before it), or None before the first."""
        found = None
        for candidate in self.values:
            if candidate.start <= on:
                found = candidate
            else:
                break
        return found


@dataclass(frozen=True)
class Override:
    """A district file's values for the parameters it names (they replace earlier versions' values)."""

    version: int
    values: Mapping[str, tuple[DatedValue, ...]] = field(default_factory=dict)


def _reference(raw: Any, path: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append((item, item if item.startswith("http") else ""))
        elif isinstance(item, dict) and isinstance(item.get("title", ""), str):
            out.append((str(item.get("title", "")), str(item.get("href", ""))))
        else:
            raise PolicyError(path, "reference 应为文字、链接或 {title, href} 列表")
    return tuple(out)


def _date(raw: Any, path: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise PolicyError(path, f"日期 {str(raw)[:20]} 不是 YYYY-MM-DD") from None


def _amount(raw: Any, path: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise PolicyError(path, "value 应为数字")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise PolicyError(path, "value 应为数字") from None
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        raise PolicyError(path, "value 应为 0 至 1 亿之间的数")
    if value != value.quantize(Decimal("0.01")):
        raise PolicyError(path, "value 最多两位小数（元到分）")
    return value


def _values(raw: Any, path: str, source: str, reference: tuple[tuple[str, str], ...]) -> tuple[DatedValue, ...]:
    if not isinstance(raw, dict) or not raw:
        raise PolicyError(path, "values 应为以生效日期为键的非空映射")
    out = []
    for start_raw, entry in raw.items():
        start = _date(start_raw, path)
        if not isinstance(entry, dict):
            entry = {"value": entry}
        unknown = set(entry) - VALUE_KEYS
        if unknown:
            raise PolicyError(path, f"未知的键 {sorted(unknown)[0]}")
        if "value" not in entry:
            raise PolicyError(path, f"{start} 缺少 value")
        metadata = entry.get("metadata") or {}
        status = metadata.get("status") if isinstance(metadata, dict) else None
        if status not in STATUSES:
            raise PolicyError(path, f"{start} 的 metadata.status 应为 verified、single_source 或 example")
        value_reference = _reference(entry.get("reference"), path) or reference
        out.append(DatedValue(start, _amount(entry["value"], path), status, source, value_reference))
    out.sort(key=lambda v: v.start)
    return tuple(out)


def parse_tree(
    raw: Any, *, prefix: str, file: str, source: str, inherited_reference: tuple[tuple[str, str], ...] = ()
) -> dict[str, Parameter]:
    """The leaves of one parameter document as {dotted path: Parameter}. Raises PolicyError."""
    if not isinstance(raw, dict):
        raise PolicyError(prefix, "应为映射")
    reference = _reference(raw.get("reference"), prefix) or inherited_reference
    if "values" in raw:
        unknown = set(raw) - LEAF_KEYS
        if unknown:
            raise PolicyError(prefix, f"未知的键 {sorted(unknown)[0]}")
        metadata = raw.get("metadata") or {}
        unit = str(metadata.get("unit", raw.get("unit", ""))) if isinstance(metadata, dict) else ""
        return {
            prefix: Parameter(
                path=prefix,
                description=str(raw.get("description", "")),
                unit=unit,
                reference=reference,
                file=file,
                values=_values(raw["values"], prefix, source, reference),
                description_en=str(metadata.get("description_en", "")) if isinstance(metadata, dict) else "",
            )
        }
    leaves: dict[str, Parameter] = {}
    for key, child in raw.items():
        if key in NODE_KEYS:
            continue
        if not isinstance(key, str) or not key.replace("_", "").isalnum() or not key.isascii():
            raise PolicyError(prefix, f"节点名 {str(key)[:30]} 只能由字母、数字和下划线组成")
        leaves.update(
            parse_tree(
                child,
                prefix=f"{prefix}.{key}" if prefix else key,
                file=file,
                source=source,
                inherited_reference=reference,
            )
        )
    if not leaves:
        raise PolicyError(prefix, "没有任何参数")
    return leaves


@cache
def shipped_parameters() -> dict[str, Parameter]:
    """Every shipped parameter, by dotted path (`benefits.resident_care_subsidy.monthly.dibao.level_2`)."""
    out: dict[str, Parameter] = {}
    for path in sorted(PARAMETERS_DIR.rglob("*.yaml")):
        relative = path.relative_to(PARAMETERS_DIR).with_suffix("")
        prefix = ".".join(relative.parts)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.update(parse_tree(raw, prefix=prefix, file=str(relative) + ".yaml", source="shipped"))
    return out


def shipped_node_metadata(node: str) -> dict[str, Any]:
    """The `metadata` and `description` of a shipped node file (e.g. `benefits.rating_reward`); the
    English description is `description_en` (from the metadata)."""
    path = PARAMETERS_DIR.joinpath(*node.split(".")).with_suffix(".yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {"description": raw.get("description", ""), **(raw.get("metadata") or {})}


def parse_district_document(content: str, *, version: int, effective_from: date) -> Override:
    """A district's file, whose top-level keys are paths below `benefits` in the same format.

    Guarantees: it names only parameters that are shipped (a district sets values, it cannot invent a
    parameter the rules do not read); every value starts on or after `effective_from`; every value has
    a status. Raises PolicyError naming the parameter and the reason.
    """
    try:
        raw = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise PolicyError("", f"无法读取 YAML：{str(exc)[:200]}") from None
    if not isinstance(raw, dict) or not raw:
        raise PolicyError("", "文件应为以参数名为键的映射")
    source = f"district:{version}"
    leaves = parse_tree(raw, prefix="benefits", file="", source=source)
    shipped = shipped_parameters()
    values: dict[str, tuple[DatedValue, ...]] = {}
    for path, parameter in leaves.items():
        if path not in shipped:
            raise PolicyError(path, "不是已有的参数（只能设置已有参数的取值）")
        for value in parameter.values:
            if value.start < effective_from:
                raise PolicyError(path, f"取值日期 {value.start} 早于本文件的生效日期 {effective_from}")
        values[path] = parameter.values
    return Override(version=version, values=values)


def fingerprint(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Policy:
    """The parameters in force for one district: shipped values merged with the district's files.

    For each parameter the latest district version naming it replaces earlier versions; at a date the
    value with the latest start on or before it applies, a district value winning a tie with a shipped
    one.
    """

    parameters: Mapping[str, Parameter]

    @classmethod
    def for_district(cls, overrides: Iterable[Override] = ()) -> Policy:
        shipped = shipped_parameters()
        latest: dict[str, tuple[DatedValue, ...]] = {}
        for override in sorted(overrides, key=lambda o: o.version):
            latest.update(override.values)
        merged = dict(shipped)
        for path, district_values in latest.items():
            base = shipped[path]
            combined = sorted([*base.values, *district_values], key=lambda v: (v.start, v.source != "shipped"))
            merged[path] = Parameter(
                path=base.path,
                description=base.description,
                unit=base.unit,
                reference=base.reference,
                file=base.file,
                values=tuple(combined),
                description_en=base.description_en,
            )
        return cls(parameters=merged)

    def with_value(self, path: str, start: date, value: Decimal) -> Policy:
        """A copy with one more dated value (a what-if draft; status `example`, source `draft`)."""
        base = self.parameters[path]
        draft = DatedValue(start, value, "example", "draft", base.reference)
        kept = [v for v in base.values if v.start != start]
        values = tuple(sorted([*kept, draft], key=lambda v: v.start))
        return Policy(parameters={**self.parameters, path: Parameter(**{**base.__dict__, "values": values})})

    def at(self, path: str, on: date) -> DatedValue:
        value = self.parameters[path].at(on)
        if value is None:
            raise PolicyError(path, f"{on} 时尚无取值")
        return value

    def describe(self, path: str, value: DatedValue) -> dict[str, Any]:
        """What a payroll run keeps about a value it used, so the line stays explainable."""
        parameter = self.parameters[path]
        return {
            "path": path,
            "description": parameter.description,
            "description_en": parameter.description_en,
            "file": parameter.file if value.source == "shipped" else value.source,
            "start": value.start.isoformat(),
            "value": str(value.value),
            "unit": parameter.unit,
            "status": value.status,
            "reference": [list(r) for r in value.reference],
        }


def override_to_json(override: Override) -> dict[str, list[dict[str, Any]]]:
    """How a district file's parsed values are stored (PolicyFile.parameters)."""
    return {
        path: [
            {
                "start": v.start.isoformat(),
                "value": str(v.value),
                "status": v.status,
                "reference": [list(r) for r in v.reference],
            }
            for v in values
        ]
        for path, values in override.values.items()
    }
