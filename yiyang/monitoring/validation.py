"""Checking an override document (district or elder) before it is stored.

An override is a partial rules document of the shape of `engine/data/rules.yaml`. The engine's own
`merge_rules` + `compile_ruleset` reject unknown rules and fields, but stop at the first problem
and do not always say where a bad value sits (a threshold of "abc" fails deep inside `float()`).
This module walks the override against the defaults first and names every problem by its path in
the document (`rules.hr_high.params.threshold`), then runs `merge_rules` + `compile_ruleset` on the
result as the final word. Pure: no database.

What an override may not change: the provenance of the defaults (`source`, `basis`, `verified`),
what a rule is (`alert_type`, `params.code`), `version`, `suppression.never` (SOS is never
suppressed) and `flags` (an elder's flags live in the monitoring profile).
"""

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from yiyang.core.errors import FieldError
from yiyang.monitoring.choices import MonitoringFlag
from yiyang.monitoring.engine.rules import (
    SEVERITY_RANK,
    SUPPRESSION_MODES,
    RuleError,
    compile_ruleset,
    load_default_rules,
    merge_rules,
)

DOCUMENT_MAX_BYTES = 64 * 1024
BLOCKS = ("config", "validity", "suppression", "rules")
RULE_FIELDS = ("enabled", "severity", "params")
PROVENANCE = frozenset({"source", "basis", "verified"})
SEVERITY_KEYS = frozenset({"severity", "cancel_severity", "movement_severity", "severity_with_other"})
OPS = (">", ">=", "<", "<=")
# Counts, days and scores: whole numbers (the engine would silently truncate 2.5 to 2).
INTEGER_KEYS = frozenset(
    {
        "min_count",
        "repeat_count",
        "baseline_min_readings",
        "min_samples",
        "nights",
        "days",
        "learning_days",
        "baseline_days",
        "min_signal",
        "min_params",
        "emergency_at",
        "urgent_at",
        "red_score",
    }
)
# At least one: a count of zero would make the rule fire on nothing or never.
POSITIVE_KEYS = frozenset({"min_count", "repeat_count", "nights", "days", "learning_days", "baseline_days"})
RANGE_KEYS = ("name", "min", "max")
_HHMM = re.compile(r"^\d{1,2}:\d{2}$")


class _Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, reason: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(path, reason, code))


def override_problems(
    document: Any,
    *,
    root: str,
    flags: Iterable[str] = (),
    base: Mapping[str, Any] | None = None,
    district: Mapping[str, Any] | None = None,
) -> list[FieldError]:
    """Every problem of an override document, each named by its path in the document; [] when usable.

    `root` names the whole document in errors about the document itself (`document`, `override`).
    `district` is the district override an elder override is layered on (compiled together at the
    end, with `flags`). `base` defaults to the shipped rules.
    """
    problems = _Problems()
    base = base if base is not None else load_default_rules()
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        problems.add(root, _("覆盖规则应为 JSON 对象（键值对）"), "invalid_type")
        return problems.errors
    try:
        size = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        problems.add(root, _("覆盖规则只能包含 JSON 数据"), "invalid_type")
        return problems.errors
    if size > DOCUMENT_MAX_BYTES:
        problems.add(root, _("覆盖规则不能超过64KB"), "too_large")
        return problems.errors
    alert_types = {str(rule.get("alert_type", rule_id)) for rule_id, rule in base.get("rules", {}).items()}
    for key, value in document.items():
        path = str(key)
        if key == "flags":
            problems.add(path, _("监测标记在老年人监测设置中单独设置，不能写在覆盖规则里"), "not_overridable")
        elif key == "version":
            problems.add(path, _("版本号由系统维护，不能覆盖"), "not_overridable")
        elif key not in BLOCKS:
            problems.add(path, _("未知的键；可用：%(keys)s") % {"keys": "、".join(BLOCKS)}, "unknown_key")
        elif not isinstance(value, Mapping):
            problems.add(path, _("应为对象（键值对）"), "invalid_type")
        elif key == "rules":
            _check_rules(value, base["rules"], problems, alert_types)
        else:
            _check_block(key, value, base.get(key, {}), problems, alert_types)
    if problems.errors:
        return problems.errors
    try:
        compile_ruleset(merge_rules(base, district, document), flags)
    except RuleError as exc:
        path, _sep, reason = str(exc).partition(": ")
        if not reason:
            path, reason = root, str(exc)
        problems.add(path, reason, "invalid")
    except (ValueError, TypeError, KeyError) as exc:  # a value the walk above let through
        problems.add(root, _("规则无法编译：%(e)s") % {"e": exc}, "invalid")
    return problems.errors


def _check_rules(
    rules: Mapping[str, Any], defaults: Mapping[str, Any], problems: _Problems, alert_types: set[str]
) -> None:
    for rule_id, rule in rules.items():
        path = f"rules.{rule_id}"
        if rule_id not in defaults:
            problems.add(path, _("未知的规则"), "unknown_rule")
            continue
        if not isinstance(rule, Mapping):
            problems.add(path, _("应为对象（键值对）"), "invalid_type")
            continue
        for field, value in rule.items():
            where = f"{path}.{field}"
            if field in PROVENANCE or field == "alert_type":
                problems.add(where, _("规则的来源、依据、核实标记和告警类型不能覆盖"), "not_overridable")
            elif field not in RULE_FIELDS:
                problems.add(where, _("未知的字段；可用：%(keys)s") % {"keys": "、".join(RULE_FIELDS)}, "unknown_key")
            elif field == "enabled":
                if not isinstance(value, bool):
                    problems.add(where, _("应为 true 或 false"), "invalid_type")
            elif field == "severity":
                _check_severity(value, where, problems)
            elif not isinstance(value, Mapping):
                problems.add(where, _("应为对象（键值对）"), "invalid_type")
            else:
                params = defaults[rule_id].get("params", {})
                for name, item in value.items():
                    key_path = f"{where}.{name}"
                    if name == "code":
                        problems.add(key_path, _("规则所监测的指标不能覆盖"), "not_overridable")
                    elif name not in params:
                        problems.add(key_path, _("未知的参数"), "unknown_key")
                    else:
                        _check_value(str(name), item, params[name], key_path, problems, alert_types)


def _check_block(
    block: str, override: Mapping[str, Any], defaults: Mapping[str, Any], problems: _Problems, alert_types: set[str]
) -> None:
    for name, value in override.items():
        path = f"{block}.{name}"
        if name in PROVENANCE:
            problems.add(path, _("来源、依据和核实标记不能覆盖"), "not_overridable")
        elif block == "suppression" and name == "never":
            problems.add(path, _("紧急呼叫（SOS）永不暂停，不能覆盖"), "not_overridable")
        elif name not in defaults:
            problems.add(path, _("未知的键"), "unknown_key")
        elif block == "validity" and name == "ranges":
            _check_ranges(value, defaults["ranges"], path, problems)
        elif block == "suppression" and name == "modes":
            if not isinstance(value, Mapping):
                problems.add(path, _("应为对象（键值对）"), "invalid_type")
                continue
            for mode, types in value.items():
                if mode not in SUPPRESSION_MODES:
                    problems.add(
                        f"{path}.{mode}",
                        _("未知的暂停方式；可用：%(keys)s") % {"keys": "、".join(SUPPRESSION_MODES)},
                        "unknown_key",
                    )
                else:
                    _check_alert_types(types, f"{path}.{mode}", problems, alert_types | {"*"})
        elif block == "suppression" and name == "inhibit_by":
            _check_alert_types(value, path, problems, alert_types)
        else:
            _check_value(str(name), value, defaults[name], path, problems, alert_types)


def _check_ranges(value: Any, defaults: Mapping[str, Any], path: str, problems: _Problems) -> None:
    if not isinstance(value, Mapping):
        problems.add(path, _("应为对象（键值对）"), "invalid_type")
        return
    for code, spec in value.items():
        where = f"{path}.{code}"
        if not isinstance(spec, Mapping):
            problems.add(where, _("应为对象（键值对），含 name、min、max"), "invalid_type")
            continue
        for key, item in spec.items():
            if key not in RANGE_KEYS:
                problems.add(f"{where}.{key}", _("未知的键；可用：name、min、max"), "unknown_key")
            elif key == "name":
                if not isinstance(item, str) or not item.strip():
                    problems.add(f"{where}.name", _("应为非空文本"), "invalid_type")
            elif not _is_number(item):
                problems.add(f"{where}.{key}", _("应为数字"), "invalid_type")
        merged = {**defaults.get(code, {}), **spec}
        missing = [key for key in RANGE_KEYS if key not in merged]
        if missing:
            problems.add(where, _("缺少：%(keys)s") % {"keys": "、".join(missing)}, "required")
        elif _is_number(merged["min"]) and _is_number(merged["max"]) and merged["min"] >= merged["max"]:
            problems.add(f"{where}.max", _("应大于 min（%(min)s）") % {"min": merged["min"]}, "invalid")


def _check_alert_types(value: Any, path: str, problems: _Problems, allowed: set[str]) -> None:
    if not isinstance(value, list):
        problems.add(path, _("应为告警类型的列表"), "invalid_type")
        return
    for index, item in enumerate(value):
        if item not in allowed:
            problems.add(f"{path}[{index}]", _("未知的告警类型：%(v)s") % {"v": item}, "invalid_choice")


def _check_severity(value: Any, path: str, problems: _Problems) -> None:
    if value not in SEVERITY_RANK:
        problems.add(path, _("应为以下之一：%(keys)s") % {"keys": "、".join(SEVERITY_RANK)}, "invalid_choice")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_value(name: str, value: Any, default: Any, path: str, problems: _Problems, alert_types: set[str]) -> None:
    """`value` must have the kind of the default it replaces (number, yes/no, time, list, …)."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.add(path, _("应为 true 或 false"), "invalid_type")
    elif isinstance(default, int | float):
        if not _is_number(value):
            problems.add(path, _("应为数字"), "invalid_type")
        elif name in INTEGER_KEYS and value != int(value):
            problems.add(path, _("应为整数"), "invalid_type")
        elif name in POSITIVE_KEYS and value < 1:
            problems.add(path, _("应不小于1"), "min_value")
        elif value < 0:
            problems.add(path, _("不能为负数"), "min_value")
    elif isinstance(default, str):
        _check_text(name, value, default, path, problems)
    elif isinstance(default, list):
        _check_list(value, default, path, problems, alert_types)
    elif isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            problems.add(path, _("应为对象（键值对）"), "invalid_type")
            return
        for key, item in value.items():
            if key not in default:
                problems.add(f"{path}.{key}", _("未知的键"), "unknown_key")
            else:
                _check_value(str(key), item, default[key], f"{path}.{key}", problems, alert_types)
    elif value is not None and type(value) is not type(default):
        problems.add(path, _("类型不对"), "invalid_type")


def _check_text(name: str, value: Any, default: str, path: str, problems: _Problems) -> None:
    if not isinstance(value, str):
        problems.add(path, _("应为文本"), "invalid_type")
    elif name in SEVERITY_KEYS:
        _check_severity(value, path, problems)
    elif name == "op":
        problems.add(path, _("比较方式不能覆盖"), "not_overridable")
    elif name == "timezone":
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            problems.add(path, _("未知的时区：%(v)s") % {"v": value}, "invalid_choice")
    elif name == "requires_flag":
        if value not in MonitoringFlag.values:
            problems.add(
                path, _("应为以下之一：%(keys)s") % {"keys": "、".join(MonitoringFlag.values)}, "invalid_choice"
            )
    elif _HHMM.match(default):
        hours, _sep, minutes = value.partition(":")
        if not (_HHMM.match(value) and int(hours) * 60 + int(minutes) <= 24 * 60 and int(minutes) < 60):
            problems.add(path, _("应为 HH:MM 格式的时刻"), "invalid_time")
    elif not value.strip():
        problems.add(path, _("不能为空"), "required")


def _check_list(value: Any, default: list[Any], path: str, problems: _Problems, alert_types: set[str]) -> None:
    if not isinstance(value, list):
        problems.add(path, _("应为列表"), "invalid_type")
        return
    if default and all(_is_number(item) for item in default):
        # Numeric lists are per-slot tables (e.g. 24 hourly values): the length is fixed.
        if len(value) != len(default):
            problems.add(path, _("应有 %(n)s 个数字") % {"n": len(default)}, "invalid_length")
            return
        for index, item in enumerate(value):
            if not _is_number(item):
                problems.add(f"{path}[{index}]", _("应为数字"), "invalid_type")
            elif item < 0:
                problems.add(f"{path}[{index}]", _("不能为负数"), "min_value")
        return
    if not value:
        problems.add(path, _("至少需要一项"), "required")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.add(f"{path}[{index}]", _("应为非空文本"), "invalid_type")
