"""Load and validate the scale data files (once, cached) and officers' policy overrides.

A malformed data file raises `ScaleDataError` naming the file and every problem found, the first time
any scale is asked for. A malformed policy override raises `InvalidPolicy` with one FieldError per
problem, each naming the exact place (`policy.group_bands.C1[2].max`) and what is wrong.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import yaml

from yiyang.assessments.scales import icd10
from yiyang.assessments.scales.errors import InvalidPolicy, ScaleDataError, UnknownScale
from yiyang.assessments.scales.model import (
    Band,
    Combination,
    Fact,
    FactResolution,
    Group,
    Item,
    Level,
    Option,
    PolicyInfo,
    Rule,
    Scale,
    Setting,
    Source,
)
from yiyang.core.errors import FieldError

DATA_DIR = Path(__file__).resolve().parent / "data"

SCALE_CODES: tuple[str, ...] = (
    "gbt42195-2022",
    "ltc-2021",
    "ltc-2021-self",
    "barthel",
    "selfcare-phs",
    "mzt039-2013",
)

# The rules and settings each scorer reads; a data file without them is malformed.
REQUIRED_RULES: Mapping[str, tuple[str, ...]] = {
    "gbt42195-2022": ("coma", "mental_disorder", "risk_events", "cap"),
    "ltc-2021": (),
    "ltc-2021-self": ("may_apply",),
    "barthel": (),
    "selfcare-phs": (),
    "mzt039-2013": (
        "b3_grading",
        "c2_matrix",
        "c2_overlap",
        "c2_uncovered",
        "c3_cognitive",
        "c3_risk_events",
        "c3_coma",
        "c3_no_raise_at_3",
        "cap",
    ),
}
REQUIRED_SETTINGS: Mapping[str, tuple[str, ...]] = {
    "gbt42195-2022": ("stack_level_rules",),
    "mzt039-2013": ("stack_level_rules",),
}

POLICY_KEYS = ("bands", "group_bands", "combination")
POLICY_SOURCE_ID = "POLICY"

_TOP_KEYS = {
    "code",
    "version",
    "name",
    "name_en",
    "standard",
    "status",
    "issued",
    "effective",
    "superseded",
    "superseded_by",
    "dates_note",
    "direction",
    "max_total",
    "note",
    "sources",
    "facts",
    "groups",
    "items",
    "levels",
    "bands",
    "combination",
    "rules",
    "settings",
    "policy_keys",
}


# ---------------------------------------------------------------------------------------------------
# A small reader that records problems with their path instead of stopping at the first one.
# ---------------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(self, value: object, path: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(path, f"应为对象（键值对），实为{_kind(value)}")
            return None
        return value

    def sequence(self, value: object, path: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.problem(path, f"应为列表，实为{_kind(value)}")
            return None
        return value

    def keys(self, data: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str]) -> None:
        allowed_set = set(allowed)
        for key in data:
            if key not in allowed_set and not str(key).startswith("_"):
                self.problem(_join(path, str(key)), f"未知的键；可用的键：{'、'.join(sorted(allowed_set))}")
        for key in required:
            if key not in data:
                self.problem(_join(path, key), "缺少必填键")

    def string(self, data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if not optional and key in data:
                self.problem(_join(path, key), "不能为空")
            return ""
        if optional and value == "":
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(_join(path, key), f"应为非空文字，实为{_kind(value)}")
            return ""
        return value

    def nullable_string(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(_join(path, key), f"应为非空文字或 null，实为{_kind(value)}")
            return None
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str, *, minimum: int | None = None) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(_join(path, key), f"应为整数，实为{_kind(value)}")
            return 0
        if minimum is not None and value < minimum:
            self.problem(_join(path, key), f"应不小于 {minimum}，实为 {value}")
        return value

    def nullable_integer(self, data: Mapping[str, Any], key: str, path: str) -> int | None:
        if data.get(key) is None:
            return None
        return self.integer(data, key, path)

    def boolean(self, data: Mapping[str, Any], key: str, path: str, *, default: bool | None = None) -> bool:
        if key not in data and default is not None:
            return default
        value = data.get(key)
        if not isinstance(value, bool):
            self.problem(_join(path, key), f"应为 true 或 false，实为{_kind(value)}")
            return False
        return value

    def choice(self, data: Mapping[str, Any], key: str, path: str, choices: Sequence[str]) -> str:
        value = data.get(key)
        if value not in choices:
            self.problem(_join(path, key), f"应为 {'、'.join(choices)} 之一，实为“{value}”")
            return choices[0]
        return cast(str, value)

    def date_value(self, data: Mapping[str, Any], key: str, path: str) -> date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(_join(path, key), f"应为 YYYY-MM-DD 日期或 null，实为“{value}”")
        return None

    def string_list(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        items = self.sequence(value, _join(path, key))
        if items is None:
            return ()
        out = []
        for index, entry in enumerate(items):
            if not isinstance(entry, str) or not entry:
                self.problem(f"{_join(path, key)}[{index}]", f"应为非空文字，实为{_kind(entry)}")
            else:
                out.append(entry)
        return tuple(out)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {str(value).lower()}"
    if isinstance(value, int | float):
        return f"数字 {value}"
    if isinstance(value, str):
        return f"文字“{value}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, Mapping):
        return "对象"
    return type(value).__name__


def _freeze(value: Any) -> Any:
    """Deep read-only copy of YAML data: dicts become MappingProxyType, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(entry) for key, entry in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(entry) for entry in value)
    return value


def _ranges_text(numbers: Iterable[int], universe: Iterable[int]) -> str:
    """Runs of `numbers` that are adjacent within `universe`: `[0, 5, …, 45]` of multiples of 5 -> `0–45`."""
    order = {value: index for index, value in enumerate(sorted(set(universe)))}
    ordered = sorted(set(numbers))
    parts = []
    for _, run in itertools.groupby(ordered, key=lambda value: order[value] - ordered.index(value)):
        values = list(run)
        parts.append(str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}")
    return "、".join(parts)


def reachable_totals(items: Iterable[Item]) -> frozenset[int]:
    """Every total the given items can add up to."""
    totals = {0}
    for item in items:
        scores = {option.score for option in item.options}
        totals = {total + score for total in totals for score in scores}
    return frozenset(totals)


# ---------------------------------------------------------------------------------------------------
# Bands and combination tables: shared by the data files and the policy overrides.
# ---------------------------------------------------------------------------------------------------


def _read_bands(
    reader: _Reader, raw: object, path: str, *, verified: bool | None = None, sources: tuple[str, ...] = ()
) -> tuple[Band, ...]:
    """Read a list of bands. With `verified` given (a policy), per-band marks are not accepted."""
    entries = reader.sequence(raw, path)
    if entries is None:
        return ()
    bands = []
    for index, entry in enumerate(entries):
        band_path = f"{path}[{index}]"
        data = reader.mapping(entry, band_path)
        if data is None:
            continue
        if verified is None:
            reader.keys(
                data,
                band_path,
                {"level", "name", "name_en", "min", "max", "verified", "sources", "note", "note_en"},
                (),
            )
        else:
            reader.keys(data, band_path, {"level", "name", "name_en", "min", "max", "note", "note_en"}, ())
        for key in ("level", "name", "min", "max"):
            if key not in data:
                reader.problem(_join(band_path, key), "缺少必填键")
        level = reader.integer(data, "level", band_path, minimum=0) if "level" in data else 0
        name = reader.string(data, "name", band_path) if "name" in data else ""
        low = reader.integer(data, "min", band_path) if "min" in data else 0
        high = reader.integer(data, "max", band_path) if "max" in data else 0
        if "min" in data and "max" in data and low > high:
            reader.problem(band_path, f"min（{low}）大于 max（{high}）")
        note = reader.string(data, "note", band_path, optional=True)
        if verified is None:
            band_verified = reader.boolean(data, "verified", band_path, default=True)
            band_sources = reader.string_list(data, "sources", band_path)
        else:
            band_verified, band_sources = verified, sources
        name_en = reader.string(data, "name_en", band_path, optional=True)
        note_en = reader.string(data, "note_en", band_path, optional=True)
        bands.append(Band(level, name, low, high, band_verified, band_sources, note, name_en, note_en))
    return tuple(bands)


def _check_bands(reader: _Reader, bands: Sequence[Band], reachable: frozenset[int], path: str) -> None:
    """Levels 0..n-1 each once; every reachable total in exactly one band; no band without a reachable total."""
    if not bands:
        reader.problem(path, "至少需要一个分级")
        return
    levels = sorted(band.level for band in bands)
    if levels != list(range(len(bands))):
        reader.problem(path, f"分级编号应为 0–{len(bands) - 1} 且各出现一次，实为 {levels}")
    uncovered = [total for total in reachable if not any(band.contains(total) for band in bands)]
    if uncovered:
        reader.problem(path, f"可能的得分 {_ranges_text(uncovered, reachable)} 不属于任何分级")
    overlapping = sorted(total for total in reachable if sum(band.contains(total) for band in bands) > 1)
    for total in overlapping:
        owners = [str(band.level) for band in bands if band.contains(total)]
        reader.problem(path, f"得分 {total} 同时属于分级 {'、'.join(owners)}")
    for index, band in enumerate(bands):
        if band.min <= band.max and not any(band.contains(total) for total in reachable):
            reader.problem(f"{path}[{index}]", f"分级 {band.level}（{band.range_text}）不包含任何可能的得分")


def _read_table(reader: _Reader, raw: object, path: str) -> tuple[tuple[int, ...], ...]:
    rows = reader.sequence(raw, path)
    if rows is None:
        return ()
    table: list[tuple[int, ...]] = []
    for r, row in enumerate(rows):
        cells = reader.sequence(row, f"{path}[{r}]")
        if cells is None:
            table.append(())
            continue
        values = []
        for c, cell in enumerate(cells):
            if isinstance(cell, bool) or not isinstance(cell, int):
                reader.problem(f"{path}[{r}][{c}]", f"应为等级整数，实为{_kind(cell)}")
                values.append(-1)
            else:
                values.append(cell)
        table.append(tuple(values))
    return tuple(table)


def _check_combination(
    reader: _Reader,
    combination: Combination,
    groups: Mapping[str, Group],
    levels: Iterable[int],
    path: str,
    table_path: str,
) -> None:
    """The table has one row per row-group index and one column per column-group index; cells are levels."""
    names = [combination.rows, *combination.columns]
    missing = [code for code in names if code not in groups]
    if missing:
        reader.problem(path, f"未知的组 {'、'.join(missing)}")
        return

    def size(code: str) -> int:
        group = groups[code]
        return len(group.bands) if combination.index == "level" else group.max + 1

    row_count = size(combination.rows)
    column_sizes = {size(code) for code in combination.columns}
    if len(column_sizes) != 1:
        reader.problem(path, "列所用各组的分级数不同，无法取较重者")
        return
    column_count = column_sizes.pop()
    if len(combination.table) != row_count:
        reader.problem(
            table_path, f"应有 {row_count} 行（{combination.rows} 的每个分级一行），实为 {len(combination.table)} 行"
        )
    valid_levels = set(levels)
    for r, row in enumerate(combination.table):
        if len(row) != column_count:
            reader.problem(f"{table_path}[{r}]", f"应有 {column_count} 列，实为 {len(row)} 列")
        for c, cell in enumerate(row):
            if cell >= 0 and cell not in valid_levels:
                reader.problem(f"{table_path}[{r}][{c}]", f"{cell} 不是本量表的等级（可用：{sorted(valid_levels)}）")


# ---------------------------------------------------------------------------------------------------
# Data files.
# ---------------------------------------------------------------------------------------------------


def parse_scale(raw: object, *, expected_code: str | None = None) -> Scale:
    """Build a `Scale` from the parsed YAML; raise `ValueError` listing every problem (path: message)."""
    reader = _Reader()
    top = reader.mapping(raw, "")
    if top is None:
        raise ValueError(_problems_text(reader.problems))
    reader.keys(top, "", _TOP_KEYS, _TOP_KEYS - {"combination", "name_en"})
    code = reader.string(top, "code", "")
    if expected_code is not None and code and code != expected_code:
        reader.problem("code", f"应与文件名一致（{expected_code}），实为“{code}”")

    sources = _read_sources(reader, top.get("sources", []))
    source_ids = {source.id for source in sources}
    facts = _read_facts(reader, top.get("facts", []))
    items = _read_items(reader, top.get("items", []), facts)
    groups = _read_groups(reader, top.get("groups", []))
    levels = _read_levels(reader, top.get("levels", []))
    bands = _read_bands(reader, top.get("bands", []), "bands")
    combination = _read_combination(reader, top.get("combination"), "combination")
    rules = _read_rules(reader, top.get("rules", []))
    settings = _read_settings(reader, top.get("settings", []))
    policy_keys = reader.string_list(top, "policy_keys", "")

    scale = Scale(
        code=code,
        version=reader.integer(top, "version", "", minimum=1),
        name=reader.string(top, "name", ""),
        standard=reader.string(top, "standard", ""),
        status=cast(Any, reader.choice(top, "status", "", ("current", "superseded"))),
        issued=reader.date_value(top, "issued", ""),
        effective=reader.date_value(top, "effective", ""),
        superseded=reader.date_value(top, "superseded", ""),
        superseded_by=reader.nullable_string(top, "superseded_by", ""),
        dates_note=reader.string(top, "dates_note", "", optional=True),
        direction=cast(Any, reader.choice(top, "direction", "", ("higher_is_better", "higher_is_worse", "mixed"))),
        max_total=reader.nullable_integer(top, "max_total", ""),
        note=reader.string(top, "note", "", optional=True),
        sources=sources,
        facts=facts,
        groups=groups,
        items=items,
        levels=levels,
        bands=bands,
        combination=combination,
        rules=rules,
        settings=settings,
        policy_keys=policy_keys,
        name_en=reader.string(top, "name_en", "", optional=True),
    )
    if not reader.problems:
        _check_scale(reader, scale, source_ids)
    if reader.problems:
        raise ValueError(_problems_text(reader.problems))
    return scale


def _problems_text(problems: list[tuple[str, str]]) -> str:
    return "\n".join(f"  {path or '（顶层）'}: {message}" for path, message in problems)


def _read_sources(reader: _Reader, raw: object) -> tuple[Source, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "sources") or []):
        path = f"sources[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(
            data,
            path,
            {"id", "title", "title_en", "reference", "verified", "note"},
            {"id", "title", "reference", "verified"},
        )
        out.append(
            Source(
                id=reader.string(data, "id", path),
                title=reader.string(data, "title", path),
                reference=reader.string(data, "reference", path),
                verified=reader.boolean(data, "verified", path),
                note=reader.string(data, "note", path, optional=True),
                title_en=reader.string(data, "title_en", path, optional=True),
            )
        )
    return tuple(out)


def _read_facts(reader: _Reader, raw: object) -> tuple[Fact, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "facts") or []):
        path = f"facts[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(data, path, {"code", "type", "required", "text", "text_en"}, {"code", "type", "required", "text"})
        out.append(
            Fact(
                code=reader.string(data, "code", path),
                type=cast(Any, reader.choice(data, "type", path, ("bool", "icd10_list", "nonneg_int"))),
                required=reader.boolean(data, "required", path),
                text=reader.string(data, "text", path),
                text_en=reader.string(data, "text_en", path, optional=True),
            )
        )
    return tuple(out)


def _read_items(reader: _Reader, raw: object, facts: tuple[Fact, ...]) -> tuple[Item, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "items") or []):
        path = f"items[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(
            data,
            path,
            {"code", "group", "text", "text_en", "options", "note", "note_en", "sources", "resolve_by_fact"},
            {"code", "group", "text", "options"},
        )
        options = []
        for o, option_raw in enumerate(reader.sequence(data.get("options"), f"{path}.options") or []):
            option_path = f"{path}.options[{o}]"
            option = reader.mapping(option_raw, option_path)
            if option is None:
                continue
            reader.keys(
                option,
                option_path,
                {"score", "text", "text_en", "code", "label", "verified", "sources", "note", "note_en"},
                {"score", "text"},
            )
            options.append(
                Option(
                    score=reader.integer(option, "score", option_path, minimum=0),
                    text=reader.nullable_string(option, "text", option_path),
                    code=reader.nullable_string(option, "code", option_path),
                    label=reader.nullable_string(option, "label", option_path),
                    verified=reader.boolean(option, "verified", option_path, default=True),
                    sources=reader.string_list(option, "sources", option_path),
                    note=reader.string(option, "note", option_path, optional=True),
                    text_en=reader.string(option, "text_en", option_path, optional=True),
                    note_en=reader.string(option, "note_en", option_path, optional=True),
                )
            )
        if not options:
            reader.problem(f"{path}.options", "至少需要一个选项")
        resolution = None
        if data.get("resolve_by_fact") is not None:
            res_path = f"{path}.resolve_by_fact"
            res = reader.mapping(data["resolve_by_fact"], res_path)
            if res is not None:
                reader.keys(res, res_path, {"fact", "when_true", "when_false"}, {"fact", "when_true", "when_false"})
                resolution = FactResolution(
                    fact=reader.string(res, "fact", res_path),
                    when_true=reader.string(res, "when_true", res_path),
                    when_false=reader.string(res, "when_false", res_path),
                )
                fact = next((f for f in facts if f.code == resolution.fact), None)
                if fact is None or fact.type != "bool":
                    reader.problem(f"{res_path}.fact", f"“{resolution.fact}”不是本量表的布尔事实字段")
        out.append(
            Item(
                code=reader.string(data, "code", path),
                group=reader.string(data, "group", path),
                text=reader.string(data, "text", path),
                options=tuple(options),
                note=reader.string(data, "note", path, optional=True),
                sources=reader.string_list(data, "sources", path),
                resolve_by_fact=resolution,
                text_en=reader.string(data, "text_en", path, optional=True),
                note_en=reader.string(data, "note_en", path, optional=True),
            )
        )
    return tuple(out)


def _read_groups(reader: _Reader, raw: object) -> tuple[Group, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "groups") or []):
        path = f"groups[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(
            data, path, {"code", "name", "name_en", "max", "items", "bands", "note"}, {"code", "name", "max", "items"}
        )
        out.append(
            Group(
                code=reader.string(data, "code", path),
                name=reader.string(data, "name", path),
                items=reader.string_list(data, "items", path),
                max=reader.integer(data, "max", path, minimum=0),
                bands=_read_bands(reader, data["bands"], f"{path}.bands") if "bands" in data else (),
                note=reader.string(data, "note", path, optional=True),
                name_en=reader.string(data, "name_en", path, optional=True),
            )
        )
    return tuple(out)


def _read_levels(reader: _Reader, raw: object) -> tuple[Level, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "levels") or []):
        path = f"levels[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(
            data,
            path,
            {"level", "code", "name", "name_en", "description", "description_en", "may_apply"},
            {"level", "code", "name"},
        )
        may_apply = data.get("may_apply")
        if may_apply is not None and not isinstance(may_apply, bool):
            reader.problem(f"{path}.may_apply", f"应为 true、false 或省略，实为{_kind(may_apply)}")
            may_apply = None
        out.append(
            Level(
                level=reader.integer(data, "level", path, minimum=0),
                code=reader.string(data, "code", path),
                name=reader.string(data, "name", path),
                description=reader.string(data, "description", path, optional=True),
                may_apply=may_apply,
                name_en=reader.string(data, "name_en", path, optional=True),
                description_en=reader.string(data, "description_en", path, optional=True),
            )
        )
    return tuple(out)


def _read_combination(reader: _Reader, raw: object, path: str) -> Combination | None:
    if raw is None:
        return None
    data = reader.mapping(raw, path)
    if data is None:
        return None
    reader.keys(
        data,
        path,
        {"rows", "columns", "index", "table", "text", "text_en", "verified", "sources", "note", "note_en"},
        {"rows", "columns", "index", "table", "text"},
    )
    return Combination(
        rows=reader.string(data, "rows", path),
        columns=reader.string_list(data, "columns", path),
        index=cast(Any, reader.choice(data, "index", path, ("level", "total"))),
        table=_read_table(reader, data.get("table"), f"{path}.table"),
        text=reader.string(data, "text", path),
        verified=reader.boolean(data, "verified", path, default=True),
        sources=reader.string_list(data, "sources", path),
        note=reader.string(data, "note", path, optional=True),
        text_en=reader.string(data, "text_en", path, optional=True),
        note_en=reader.string(data, "note_en", path, optional=True),
    )


def _read_rules(reader: _Reader, raw: object) -> tuple[Rule, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "rules") or []):
        path = f"rules[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(
            data,
            path,
            {"code", "clause", "clause_en", "text", "text_en", "params", "verified", "sources", "note", "note_en"},
            {"code", "text", "params"},
        )
        params = reader.mapping(data.get("params"), f"{path}.params") or {}
        _check_rule_params(reader, params, f"{path}.params")
        out.append(
            Rule(
                code=reader.string(data, "code", path),
                clause=reader.nullable_string(data, "clause", path),
                text=reader.string(data, "text", path),
                params=cast(Mapping[str, Any], _freeze(dict(params))),
                verified=reader.boolean(data, "verified", path, default=True),
                sources=reader.string_list(data, "sources", path),
                note=reader.string(data, "note", path, optional=True),
                text_en=reader.string(data, "text_en", path, optional=True),
                clause_en=reader.string(data, "clause_en", path, optional=True),
                note_en=reader.string(data, "note_en", path, optional=True),
            )
        )
    return tuple(out)


def _check_rule_params(reader: _Reader, params: Mapping[str, Any], path: str) -> None:
    """Typed checks for the parameter names the scorers read."""
    for key in ("raise", "min_events", "set_level", "max_level", "min_level", "level", "score"):
        if key in params:
            reader.integer(params, key, path, minimum=0)
    for key in ("item", "option"):
        if key in params:
            reader.string(params, key, path)
    if "icd10" in params:
        for index, entry in enumerate(reader.sequence(params["icd10"], f"{path}.icd10") or []):
            range_path = f"{path}.icd10[{index}]"
            data = reader.mapping(entry, range_path)
            if data is None:
                continue
            reader.keys(data, range_path, {"from", "to", "name", "name_en"}, {"from", "to", "name"})
            first, last = data.get("from"), data.get("to")
            for key, bound in (("from", first), ("to", last)):
                if not isinstance(bound, str) or not icd10.is_category(bound):
                    reader.problem(f"{range_path}.{key}", f"应为 ICD-10 类目（如 F00），实为{_kind(bound)}")
            if (
                isinstance(first, str)
                and isinstance(last, str)
                and icd10.is_category(first)
                and icd10.is_category(last)
            ) and (first[0] != last[0] or int(first[1:]) > int(last[1:])):
                reader.problem(range_path, f"区间 {first}–{last} 无效")


def _read_settings(reader: _Reader, raw: object) -> tuple[Setting, ...]:
    out = []
    for index, entry in enumerate(reader.sequence(raw, "settings") or []):
        path = f"settings[{index}]"
        data = reader.mapping(entry, path)
        if data is None:
            continue
        reader.keys(
            data,
            path,
            {"code", "default", "text", "text_en", "verified", "sources", "note", "note_en"},
            {"code", "default", "text"},
        )
        out.append(
            Setting(
                code=reader.string(data, "code", path),
                default=reader.boolean(data, "default", path),
                text=reader.string(data, "text", path),
                verified=reader.boolean(data, "verified", path, default=True),
                sources=reader.string_list(data, "sources", path),
                note=reader.string(data, "note", path, optional=True),
                text_en=reader.string(data, "text_en", path, optional=True),
                note_en=reader.string(data, "note_en", path, optional=True),
            )
        )
    return tuple(out)


def _check_scale(reader: _Reader, scale: Scale, source_ids: set[str]) -> None:
    """Cross-references and arithmetic: groups add up, bands cover every reachable total, ids exist."""
    _check_unique(reader, "sources", [source.id for source in scale.sources])
    _check_unique(reader, "items", [item.code for item in scale.items])
    _check_unique(reader, "groups", [group.code for group in scale.groups])
    _check_unique(reader, "facts", [fact.code for fact in scale.facts])
    clash = set(scale.item_codes) & set(scale.fact_codes)
    if clash:
        reader.problem("facts", f"事实字段与题目代码重名：{'、'.join(sorted(clash))}")

    groups = {group.code: group for group in scale.groups}
    items_by_code = {item.code: item for item in scale.items}
    for index, item in enumerate(scale.items):
        path = f"items[{index}]"
        if item.group not in groups:
            reader.problem(f"{path}.group", f"未知的组“{item.group}”")
        _check_unique(reader, f"{path}.options", [option.code for option in item.options if option.code])
        for score in item.allowed_scores:
            shared = item.options_with_score(score)
            if len(shared) > 1 and any(option.code is None for option in shared):
                reader.problem(f"{path}.options", f"多个选项的分值同为 {score}，每个都须有 code 以便区分")
        if item.resolve_by_fact is not None:
            for code in (item.resolve_by_fact.when_true, item.resolve_by_fact.when_false):
                if item.option_by_code(code) is None:
                    reader.problem(f"{path}.resolve_by_fact", f"“{code}”不是本题的选项代码")
        for ref in item.sources:
            _check_source(reader, f"{path}.sources", ref, source_ids)
        for o, option in enumerate(item.options):
            for ref in option.sources:
                _check_source(reader, f"{path}.options[{o}].sources", ref, source_ids)
            if not option.verified and not option.note:
                reader.problem(f"{path}.options[{o}].note", "未经核实的选项须写明原因（note）")

    level_numbers = [level.level for level in scale.levels]
    if sorted(level_numbers) != list(range(len(level_numbers))):
        reader.problem("levels", f"等级应为 0–{len(level_numbers) - 1} 且各出现一次，实为 {level_numbers}")
    _check_unique(reader, "levels", [level.code for level in scale.levels])

    for index, group in enumerate(scale.groups):
        path = f"groups[{index}]"
        members = [item.code for item in scale.items if item.group == group.code]
        if list(group.items) != members:
            reader.problem(f"{path}.items", f"应按题目顺序列出本组全部题目 {members}，实为 {list(group.items)}")
        maximum = sum(items_by_code[code].max_score for code in group.items if code in items_by_code)
        if group.max != maximum:
            reader.problem(f"{path}.max", f"应等于本组各题最高分之和 {maximum}，实为 {group.max}")
        if group.bands:
            group_items = [items_by_code[code] for code in group.items if code in items_by_code]
            _check_bands(reader, group.bands, reachable_totals(group_items), f"{path}.bands")
            _check_band_sources(reader, group.bands, f"{path}.bands", source_ids)

    total_max = sum(item.max_score for item in scale.items)
    if scale.max_total is not None and scale.max_total != total_max:
        reader.problem("max_total", f"应等于各题最高分之和 {total_max}，实为 {scale.max_total}")
    if scale.bands:
        _check_bands(reader, scale.bands, reachable_totals(scale.items), "bands")
        _check_band_sources(reader, scale.bands, "bands", source_ids)
        for index, band in enumerate(scale.bands):
            level = next((level for level in scale.levels if level.level == band.level), None)
            if level is not None and level.name != band.name:
                reader.problem(f"bands[{index}].name", f"应与等级 {band.level} 的名称“{level.name}”一致")

    if scale.combination is not None:
        _check_combination(reader, scale.combination, groups, level_numbers, "combination", "combination.table")
        for ref in scale.combination.sources:
            _check_source(reader, "combination.sources", ref, source_ids)

    rule_codes = [rule.code for rule in scale.rules]
    _check_unique(reader, "rules", rule_codes)
    for index, rule in enumerate(scale.rules):
        for ref in rule.sources:
            _check_source(reader, f"rules[{index}].sources", ref, source_ids)
        if not rule.verified and not rule.note:
            reader.problem(f"rules[{index}].note", "未经核实的规则须写明原因（note）")
        for key in ("item",):
            if key in rule.params and rule.params[key] not in items_by_code:
                reader.problem(f"rules[{index}].params.{key}", f"未知的题目“{rule.params[key]}”")
    for index, setting in enumerate(scale.settings):
        for ref in setting.sources:
            _check_source(reader, f"settings[{index}].sources", ref, source_ids)
    for code in REQUIRED_RULES.get(scale.code, ()):
        if code not in rule_codes:
            reader.problem("rules", f"缺少评分所需的规则“{code}”")
    for code in REQUIRED_SETTINGS.get(scale.code, ()):
        if code not in scale.setting_defaults:
            reader.problem("settings", f"缺少评分所需的设置“{code}”")

    for key in scale.policy_keys:
        if key not in POLICY_KEYS:
            reader.problem("policy_keys", f"未知的政策数据“{key}”；可用：{'、'.join(POLICY_KEYS)}")
    if "bands" in scale.policy_keys and not scale.bands:
        reader.problem("policy_keys", "bands 可替换，但本量表没有总分分级")
    if "group_bands" in scale.policy_keys and not any(group.bands for group in scale.groups):
        reader.problem("policy_keys", "group_bands 可替换，但本量表没有组分级")
    if "combination" in scale.policy_keys and scale.combination is None:
        reader.problem("policy_keys", "combination 可替换，但本量表没有组合表")


def _check_unique(reader: _Reader, path: str, values: Sequence[str | None]) -> None:
    seen: set[str | None] = set()
    for value in values:
        if value in seen:
            reader.problem(path, f"“{value}”重复")
        seen.add(value)


def _check_source(reader: _Reader, path: str, ref: str, source_ids: set[str]) -> None:
    if ref not in source_ids:
        reader.problem(path, f"未登记的来源“{ref}”")


def _check_band_sources(reader: _Reader, bands: Sequence[Band], path: str, source_ids: set[str]) -> None:
    for index, band in enumerate(bands):
        for ref in band.sources:
            _check_source(reader, f"{path}[{index}].sources", ref, source_ids)
        if not band.verified and not band.sources:
            reader.problem(f"{path}[{index}].sources", "未经核实的分级须注明来源")


def load_scale_file(path: Path) -> Scale:
    """Parse and validate one data file; `ScaleDataError` names the file and every problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScaleDataError(f"{path}: 无法读取或解析 YAML：{exc}") from exc
    try:
        return parse_scale(raw, expected_code=path.stem)
    except ValueError as exc:
        raise ScaleDataError(f"{path}: 量表数据有误：\n{exc}") from exc


@functools.cache
def all_scales() -> Mapping[str, Scale]:
    """Every shipped scale by code, loaded and validated once per process."""
    scales = {}
    for code in SCALE_CODES:
        path = DATA_DIR / f"{code}.yaml"
        if not path.exists():
            raise ScaleDataError(f"{path}: 缺少量表数据文件")
        scales[code] = load_scale_file(path)
    return MappingProxyType(scales)


def get_scale(code: str) -> Scale:
    """The shipped scale definition; raises `UnknownScale` for a code not in `SCALE_CODES`."""
    if not isinstance(code, str) or code not in SCALE_CODES:
        raise UnknownScale.for_code(code, SCALE_CODES)
    return all_scales()[code]


# ---------------------------------------------------------------------------------------------------
# Settings and policy overrides (supplied per call, e.g. by an officer).
# ---------------------------------------------------------------------------------------------------


def parse_settings(scale: Scale, raw: Mapping[str, object] | None) -> dict[str, bool]:
    """The scale's settings: defaults, overridden by `raw`. Unknown keys or non-booleans raise `InvalidPolicy`."""
    values = scale.setting_defaults
    if raw is None:
        return values
    if not isinstance(raw, Mapping):
        raise InvalidPolicy("设置有误", errors=[FieldError("settings", "设置应为对象（键值对）", "invalid")])
    errors = []
    for key, value in raw.items():
        if key not in values:
            known = "、".join(values) or "（本量表没有可调整的设置）"
            errors.append(
                FieldError(f"settings.{key}", f"量表 {scale.code} 没有设置“{key}”；可用：{known}", "unknown_setting")
            )
        elif not isinstance(value, bool):
            errors.append(FieldError(f"settings.{key}", f"应为 true 或 false，实为{_kind(value)}", "invalid_setting"))
        else:
            values[key] = value
    if errors:
        raise InvalidPolicy("设置有误", errors=errors)
    return values


def apply_policy(scale: Scale, raw: Mapping[str, object] | None) -> Scale:
    """The scale with its policy data replaced by an officer's override.

    The override is a mapping: `source` (where the values come from, required), `verified`
    (true/false, required), optional `note` and `scale` (must equal the scale code), and one or more of
    the scale's `policy_keys`: `bands` (list of {level, name, min, max}), `group_bands` (group code ->
    such a list; groups not named keep the shipped bands) and `combination` (list of rows of levels).
    Every problem is reported at once as `InvalidPolicy` with dotted field paths.
    """
    if raw is None:
        return scale
    reader = _Reader()
    data = reader.mapping(raw, "policy")
    if data is None:
        raise InvalidPolicy("政策数据有误", errors=_field_errors(reader))
    if not scale.policy_keys:
        reader.problem("policy", f"量表 {scale.code} 没有可替换的政策数据")
        raise InvalidPolicy("政策数据有误", errors=_field_errors(reader))
    allowed = {"scale", "source", "verified", "note", *scale.policy_keys}
    for key in data:
        if key in allowed:
            continue
        if key in POLICY_KEYS:
            replaceable = "、".join(scale.policy_keys)
            reader.problem(f"policy.{key}", f"量表 {scale.code} 的“{key}”不可替换；可替换：{replaceable}")
        else:
            reader.problem(f"policy.{key}", f"未知的键；可用的键：{'、'.join(sorted(allowed))}")
    for key in ("source", "verified"):
        if key not in data:
            reader.problem(f"policy.{key}", "缺少必填键")
    if "scale" in data and data["scale"] != scale.code:
        reader.problem("policy.scale", f"政策数据属于量表“{data['scale']}”，不是 {scale.code}")
    source = reader.string(data, "source", "policy") if "source" in data else ""
    verified = reader.boolean(data, "verified", "policy") if "verified" in data else False
    note = reader.string(data, "note", "policy", optional=True)
    replaced = tuple(key for key in scale.policy_keys if key in data)
    if not replaced:
        reader.problem("policy", f"至少需要给出一项可替换的政策数据：{'、'.join(scale.policy_keys)}")
    sources = (POLICY_SOURCE_ID,)

    bands = scale.bands
    if "bands" in replaced:
        bands = _read_bands(reader, data["bands"], "policy.bands", verified=verified, sources=sources)
        if bands or not reader.problems:
            _check_bands(reader, bands, reachable_totals(scale.items), "policy.bands")

    groups = list(scale.groups)
    if "group_bands" in replaced:
        group_map = reader.mapping(data["group_bands"], "policy.group_bands") or {}
        banded = [group.code for group in scale.groups if group.bands]
        for code, entries in group_map.items():
            path = f"policy.group_bands.{code}"
            if code not in banded:
                reader.problem(path, f"未知的组或该组不按得分分级；可用：{'、'.join(banded)}")
                continue
            new_bands = _read_bands(reader, entries, path, verified=verified, sources=sources)
            group_items = [item for item in scale.items if item.group == code]
            _check_bands(reader, new_bands, reachable_totals(group_items), path)
            groups = [dataclasses.replace(g, bands=new_bands) if g.code == code else g for g in groups]

    levels = scale.levels
    if "bands" in replaced:
        levels = tuple(Level(band.level, str(band.level), band.name) for band in sorted(bands, key=lambda b: b.level))

    combination = scale.combination
    if "combination" in replaced and scale.combination is not None:
        table_raw = data["combination"]
        table = _read_table(reader, table_raw, "policy.combination")
        combination = dataclasses.replace(
            scale.combination, table=table, verified=verified, sources=sources, note=note or source
        )
    if combination is not None and ("combination" in replaced or "group_bands" in replaced):
        group_map_final = {group.code: group for group in groups}
        _check_combination(
            reader,
            combination,
            group_map_final,
            [level.level for level in levels],
            "policy.combination",
            "policy.combination",
        )

    if reader.problems:
        raise InvalidPolicy("政策数据有误", errors=_field_errors(reader))
    policy_source = Source(POLICY_SOURCE_ID, "主管人员上传的政策数据", source, verified, note)
    return dataclasses.replace(
        scale,
        bands=bands,
        groups=tuple(groups),
        levels=levels,
        combination=combination,
        sources=(*scale.sources, policy_source),
        policy=PolicyInfo(source=source, verified=verified, note=note, replaced=replaced),
    )


def _field_errors(reader: _Reader) -> list[FieldError]:
    return [FieldError(path, message, "invalid_policy") for path, message in reader.problems]
