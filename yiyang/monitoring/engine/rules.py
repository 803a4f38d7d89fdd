"""Monitoring rules as data: load the defaults, merge district and elder overrides, compile a `RuleSet`.

The defaults live in `data/rules.yaml` (monitoring.md §7.3, every rule with its source and
`verified: false`). An override is a partial document of the same shape; `merge_rules` deep-merges
overrides onto the defaults (a pure function) and rejects unknown rule ids and parameters so that a
typo never silently disables a rule. `compile_ruleset` turns the merged document plus the elder's
flags (`copd`, `dementia`) into the flat, read-only `RuleSet` the engine step reads on its hot path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "data" / "rules.yaml"
SEVERITY_RANK = {"technical": 0, "watch": 1, "urgent": 2, "emergency": 3}
SUPPRESSION_MODES = ("away", "in_hospital", "maintenance")
TECHNICAL_TYPES = frozenset({"device_offline", "not_worn", "battery_low"})


class RuleError(ValueError):
    """A rules document or override is malformed (unknown rule, unknown parameter, bad value)."""


def _hhmm(value: object, where: str) -> int:
    """ "HH:MM" -> seconds after local midnight."""
    try:
        hours, minutes = str(value).split(":")
        seconds = int(hours) * 3600 + int(minutes) * 60
    except ValueError as exc:
        raise RuleError(f"{where}: expected HH:MM, got {value!r}") from exc
    if not 0 <= seconds <= 86400:
        raise RuleError(f"{where}: {value!r} is not a time of day")
    return seconds


@cache
def load_default_rules() -> dict[str, Any]:
    """The default rules document (parsed once; callers get it read-only, copy before changing)."""
    return load_rules_file(DEFAULT_RULES_PATH)


def load_rules_file(path: str | Path) -> dict[str, Any]:
    """Parse a YAML (or JSON, which is YAML) rules document or override file."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise RuleError(f"{path}: a rules file must hold a mapping")
    return data


def merge_rules(base: Mapping[str, Any], *overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Deep-merge overrides (district, then elder) onto `base`; pure, returns a new document.

    Raises RuleError for an unknown top-level key, rule id, rule field or parameter, so a
    misspelt override is an error rather than a silent no-op. Lists are replaced, not merged.
    """
    merged = copy.deepcopy(dict(base))
    for override in overrides:
        if not override:
            continue
        for key, value in override.items():
            if key not in ("version", "config", "validity", "suppression", "rules", "flags"):
                raise RuleError(f"unknown top-level key {key!r}")
            if key == "rules":
                if not isinstance(value, Mapping):
                    raise RuleError("rules: expected a mapping")
                for rule_id, rule_override in value.items():
                    if rule_id not in merged["rules"]:
                        raise RuleError(f"rules: unknown rule {rule_id!r}")
                    target = merged["rules"][rule_id]
                    target.setdefault("enabled", True)
                    _merge_into(target, rule_override, f"rules.{rule_id}")
            elif key == "flags":
                merged["flags"] = sorted(set(merged.get("flags", [])) | set(value or []))
            elif isinstance(value, Mapping):
                _merge_into(merged.setdefault(key, {}), value, key, allow_new=key == "validity")
            else:
                merged[key] = value
    return merged


def _merge_into(target: dict[str, Any], override: Any, where: str, allow_new: bool = False) -> None:
    if not isinstance(override, Mapping):
        raise RuleError(f"{where}: expected a mapping")
    for key, value in override.items():
        if key not in target and not allow_new:
            raise RuleError(f"{where}: unknown field {key!r}")
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge_into(target[key], value, f"{where}.{key}", allow_new=allow_new or key == "ranges")
        else:
            target[key] = copy.deepcopy(value)


@dataclass(frozen=True, slots=True)
class Threshold:
    """A compiled threshold + persistence + hysteresis rule on one vital-sign code."""

    rule: str
    alert_type: str
    severity: str
    code: str
    high: bool  # breach above (True) or below (False)
    strict: bool  # ">"/"<" (True) or ">="/"<=" (False)
    threshold: float
    min_count: int
    min_span_s: float
    any: bool  # persistence is min_count OR min_span (True) rather than AND (False)
    max_gap_s: float
    clear_level: float  # in band again when value <= (high) / >= (low) this
    clear_s: float
    baseline_margin: float | None = None  # hr_watch: not "new" when the baseline sits inside the band
    baseline_min_readings: int = 0

    def breached(self, value: float) -> bool:
        if self.high:
            return value > self.threshold if self.strict else value >= self.threshold
        return value < self.threshold if self.strict else value <= self.threshold

    def in_band(self, value: float) -> bool:
        return value <= self.clear_level if self.high else value >= self.clear_level


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the document as compiled: identity, severity, parameters and provenance."""

    id: str
    alert_type: str
    severity: str
    enabled: bool
    params: Mapping[str, Any]
    source: str
    basis: str
    verified: bool


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Everything the step needs about one elder's rules, resolved and flattened. Read-only."""

    rules: Mapping[str, Rule]
    flags: frozenset[str]
    timezone: str
    future_tolerance_s: float
    rearm_s: float
    day_start_s: int
    day_end_s: int
    night_start_s: int
    night_end_s: int
    wake_earliest_s: int
    learning_days: int
    baseline_days: int
    min_signal: int
    ranges: Mapping[str, tuple[str, float, float]]
    thresholds: Mapping[str, tuple[Threshold, ...]]  # by vital code
    type_rules: Mapping[str, tuple[str, ...]]  # alert type -> threshold rule ids raising it
    suppress_never: frozenset[str]
    suppress_modes: Mapping[str, frozenset[str]]  # mode -> alert types ("*" = all)
    inhibit_by: frozenset[str]
    inhibit_s: float
    news2_scale2: bool
    document: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def p(self, rule_id: str) -> Mapping[str, Any]:
        return self.rules[rule_id].params

    def enabled(self, rule_id: str) -> bool:
        return self.rules[rule_id].enabled

    def local(self, ts: float) -> float:
        """Local wall-clock seconds for an epoch timestamp (day/night and hour-of-day)."""
        return ts + _utc_offset(self.timezone, int(ts // 3600))

    def offset(self, ts: float) -> int:
        return _utc_offset(self.timezone, int(ts // 3600))


_OFFSETS: dict[tuple[str, int], int] = {}


def _utc_offset(tz_name: str, hour_key: int) -> int:
    key = (tz_name, hour_key)
    offset = _OFFSETS.get(key)
    if offset is None:
        if len(_OFFSETS) > 200_000:
            _OFFSETS.clear()
        moment = datetime.fromtimestamp(hour_key * 3600, tz=UTC).astimezone(ZoneInfo(tz_name))
        delta = moment.utcoffset()
        offset = int(delta.total_seconds()) if delta is not None else 0
        _OFFSETS[key] = offset
    return offset


def compile_ruleset(document: Mapping[str, Any], flags: Iterable[str] = ()) -> RuleSet:
    """Compile a merged rules document for an elder with `flags` (e.g. {"copd", "dementia"})."""
    all_flags = frozenset(flags) | frozenset(document.get("flags", []))
    config = document.get("config", {})
    validity = document.get("validity", {})
    try:
        ZoneInfo(str(config.get("timezone", "Asia/Shanghai")))
    except Exception as exc:
        raise RuleError(f"config.timezone: unknown zone {config.get('timezone')!r}") from exc
    rules: dict[str, Rule] = {}
    thresholds: dict[str, list[Threshold]] = {}
    for rule_id, raw in document.get("rules", {}).items():
        severity = raw.get("severity")
        if severity not in SEVERITY_RANK:
            raise RuleError(f"rules.{rule_id}.severity: {severity!r} is not one of {sorted(SEVERITY_RANK)}")
        params = dict(raw.get("params", {}))
        rule = Rule(
            id=rule_id,
            alert_type=str(raw.get("alert_type", rule_id)),
            severity=severity,
            enabled=bool(raw.get("enabled", True)),
            params=params,
            source=str(raw.get("source", "")),
            basis=str(raw.get("basis", "")),
            verified=bool(raw.get("verified", False)),
        )
        rules[rule_id] = rule
        if "op" in params and rule.enabled:
            thresholds.setdefault(str(params["code"]), []).append(_compile_threshold(rule, all_flags))
    ranges = {
        str(code): (str(spec["name"]), float(spec["min"]), float(spec["max"]))
        for code, spec in validity.get("ranges", {}).items()
    }
    suppression = document.get("suppression", {})
    return RuleSet(
        rules=rules,
        flags=all_flags,
        timezone=str(config.get("timezone", "Asia/Shanghai")),
        future_tolerance_s=float(config.get("future_tolerance_s", 120)),
        rearm_s=float(config.get("rearm_s", 3600)),
        day_start_s=_hhmm(config.get("day_start", "07:00"), "config.day_start"),
        day_end_s=_hhmm(config.get("day_end", "22:00"), "config.day_end"),
        night_start_s=_hhmm(config.get("night_start", "22:00"), "config.night_start"),
        night_end_s=_hhmm(config.get("night_end", "06:00"), "config.night_end"),
        wake_earliest_s=_hhmm(config.get("wake_earliest", "04:30"), "config.wake_earliest"),
        learning_days=int(config.get("learning_days", 14)),
        baseline_days=int(config.get("baseline_days", 28)),
        min_signal=int(validity.get("min_signal", 30)),
        ranges=ranges,
        thresholds={code: tuple(items) for code, items in thresholds.items()},
        type_rules=_type_rules(thresholds),
        suppress_never=frozenset(suppression.get("never", [])),
        suppress_modes={mode: frozenset(types) for mode, types in suppression.get("modes", {}).items()},
        inhibit_by=frozenset(suppression.get("inhibit_by", [])),
        inhibit_s=float(suppression.get("inhibit_s", 1800)),
        news2_scale2="copd" in all_flags,
        document=document,
    )


def _type_rules(thresholds: Mapping[str, list[Threshold]]) -> dict[str, tuple[str, ...]]:
    by_type: dict[str, list[str]] = {}
    for items in thresholds.values():
        for item in items:
            by_type.setdefault(item.alert_type, []).append(item.rule)
    return {alert_type: tuple(ids) for alert_type, ids in by_type.items()}


def _compile_threshold(rule: Rule, flags: frozenset[str]) -> Threshold:
    params = rule.params
    op = params["op"]
    if op not in (">", ">=", "<", "<="):
        raise RuleError(f"rules.{rule.id}.op: {op!r}")
    high = op.startswith(">")
    threshold = float(params["threshold"])
    if "copd" in flags and "threshold_scale2" in params:
        threshold = float(params["threshold_scale2"])
    margin = float(params.get("clear_margin", 0))
    return Threshold(
        rule=rule.id,
        alert_type=rule.alert_type,
        severity=rule.severity,
        code=str(params["code"]),
        high=high,
        strict=len(op) == 1,
        threshold=threshold,
        min_count=int(params.get("min_count", 1)),
        min_span_s=float(params.get("min_span_s", 0)),
        any=bool(params.get("any", False)),
        max_gap_s=float(params.get("max_gap_s", 3600)),
        clear_level=threshold - margin if high else threshold + margin,
        clear_s=float(params.get("clear_s", 0)),
        baseline_margin=float(params["baseline_margin"]) if "baseline_margin" in params else None,
        baseline_min_readings=int(params.get("baseline_min_readings", 0)),
    )


def resolve_ruleset(
    district: Mapping[str, Any] | None = None,
    elder: Mapping[str, Any] | None = None,
    flags: Iterable[str] = (),
    base: Mapping[str, Any] | None = None,
) -> RuleSet:
    """Defaults + district overrides + elder overrides, compiled for an elder with `flags`.

    Pure: the same inputs give an equal RuleSet. Raises RuleError on a malformed override.
    """
    return compile_ruleset(merge_rules(base or load_default_rules(), district, elder), flags)


@cache
def default_ruleset() -> RuleSet:
    """The compiled defaults (no flags), shared by every elder without overrides."""
    return resolve_ruleset()
