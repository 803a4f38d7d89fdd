"""Reads of the monitoring rules configuration, and the rules resolver the engine runner uses.

`rules_resolver()` gives the runner one object to pass as `Engine(rules_for=resolver)`: it answers
an elder's `RuleSet` from memory (defaults + the elder's district override + the elder's flags and
override), loads every override in a few queries, and tells through `fingerprint()` (two aggregate
queries) when anything changed so that the runner can `refresh()` it and `Engine.invalidate_rules()`.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.alerts.choices import ALERT_TYPE_LABELS
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.elders.models import Elder
from yiyang.monitoring.engine.rules import (
    RuleError,
    RuleSet,
    compile_ruleset,
    default_ruleset,
    load_default_rules,
    merge_rules,
)
from yiyang.monitoring.models import DistrictRuleOverride, DistrictRuleVersion, ElderMonitoringProfile

log = logging.getLogger(__name__)

BLOCK_IDS = ("config", "validity", "suppression")


# ---------------------------------------------------------------------------------------------- rows
def district_override(*, district_id: int) -> DistrictRuleOverride | None:
    return DistrictRuleOverride.objects.select_related("updated_by").filter(district_id=district_id).first()


def district_override_document(*, district_id: int) -> dict[str, Any]:
    """The district's current override document ({} when it has none)."""
    document = DistrictRuleOverride.objects.filter(district_id=district_id).values_list("document", flat=True).first()
    return dict(document or {})


def district_rule_versions(*, district: Area) -> QuerySet[DistrictRuleVersion]:
    """Every saved version of the district's override, newest first, with who saved it."""
    return DistrictRuleVersion.objects.filter(district=district).select_related("changed_by").order_by("-version")


def elder_monitoring_profile(*, elder: Elder) -> ElderMonitoringProfile | None:
    return ElderMonitoringProfile.objects.select_related("updated_by").filter(elder=elder).first()


def rules_districts_in_reach(*, user: AnyUser) -> QuerySet[Area]:
    """Districts whose rules the account may read: its own district (every district for a superuser);
    none without `monitoring.rules.view`."""
    if not has_perm(user, Perm.MONITORING_RULES_VIEW):
        return Area.objects.none()
    scope = scope_for(user)
    districts = Area.objects.filter(level=AreaLevel.DISTRICT)
    if scope.kind is ScopeKind.ALL:
        return districts
    if scope.district_id is None:
        return Area.objects.none()
    return districts.filter(pk=scope.district_id)


# ---------------------------------------------------------------------------------- side by side
@dataclass(frozen=True)
class ValueRow:
    """One value of a rule or block: what the layer below gives, the override's value, and the result."""

    name: str
    default: Any
    overridden: bool
    override: Any
    effective: Any


@dataclass(frozen=True)
class RuleRow:
    id: str
    alert_type: str
    label: str
    source: str
    basis: str
    verified: bool
    values: list[ValueRow]

    @property
    def overridden(self) -> bool:
        return any(value.overridden for value in self.values)

    @property
    def enabled(self) -> bool:
        return next((bool(v.effective) for v in self.values if v.name == "enabled"), True)


@dataclass(frozen=True)
class RulesTable:
    """Every rule and block (config, validity, suppression) with default, override and effective
    values. `problem` says why a stored override could not be applied (the defaults are shown)."""

    blocks: list[RuleRow]
    rules: list[RuleRow]
    problem: str = ""
    effective: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def overridden(self) -> list[RuleRow]:
        return [row for row in [*self.blocks, *self.rules] if row.overridden]


_MISSING = object()


def _leaves(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(_leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {prefix: value}


def _values(
    below: Mapping[str, Any], override: Mapping[str, Any] | None, effective: Mapping[str, Any]
) -> list[ValueRow]:
    base, over, result = _leaves(below, ""), _leaves(override or {}, ""), _leaves(effective, "")
    over.pop("", None)
    rows = []
    for name in [*base, *(n for n in result if n not in base)]:
        if name in ("", "source", "basis", "verified", "alert_type"):
            continue
        value = over.get(name, _MISSING)
        rows.append(
            ValueRow(
                name=name,
                default=base.get(name),
                overridden=value is not _MISSING,
                override=None if value is _MISSING else value,
                effective=result.get(name),
            )
        )
    return rows


def rules_table(*, override: Mapping[str, Any] | None, below: Iterable[Mapping[str, Any] | None] = ()) -> RulesTable:
    """Defaults (+ the `below` layers, e.g. the district's override under an elder's), `override`
    and the effective result, rule by rule. A stored override that no longer merges (the defaults
    changed since) is reported in `problem` and left out of the effective values."""
    base = merge_rules(load_default_rules(), *below)
    problem = ""
    try:
        effective = merge_rules(base, override)
    except (RuleError, TypeError, ValueError) as exc:  # stored before the defaults changed
        problem, effective, override = str(exc), base, None
    override = override or {}
    blocks = [
        RuleRow(
            id=block,
            alert_type="",
            label=block,
            source=str(base.get(block, {}).get("source", "")),
            basis=str(base.get(block, {}).get("basis", "")),
            verified=bool(base.get(block, {}).get("verified", False)),
            values=_values(base.get(block, {}), override.get(block), effective.get(block, {})),
        )
        for block in BLOCK_IDS
    ]
    rules = []
    override_rules = override.get("rules", {}) if isinstance(override.get("rules"), Mapping) else {}
    for rule_id, rule in base["rules"].items():
        shown = {"enabled": rule.get("enabled", True), "severity": rule["severity"], "params": rule.get("params", {})}
        result = effective["rules"][rule_id]
        result = {
            "enabled": result.get("enabled", True),
            "severity": result["severity"],
            "params": result.get("params", {}),
        }
        alert_type = str(rule.get("alert_type", rule_id))
        rules.append(
            RuleRow(
                id=rule_id,
                alert_type=alert_type,
                label=str(ALERT_TYPE_LABELS.get(alert_type, alert_type)),
                source=str(rule.get("source", "")),
                basis=str(rule.get("basis", "")),
                verified=bool(rule.get("verified", False)),
                values=_values(shown, override_rules.get(rule_id), result),
            )
        )
    return RulesTable(blocks=blocks, rules=rules, problem=problem, effective=effective)


def district_rules_table(*, district: Area) -> RulesTable:
    return rules_table(override=district_override_document(district_id=district.pk))


def elder_rules_table(*, elder: Elder, profile: ElderMonitoringProfile | None) -> RulesTable:
    """The elder's override against the district's effective rules (the layer it sits on)."""
    district = district_override_document(district_id=elder.district_id)
    try:
        merge_rules(load_default_rules(), district)
    except (RuleError, TypeError, ValueError):
        district = {}
    return rules_table(override=profile.override if profile else None, below=[district])


# ------------------------------------------------------------------------------------ resolver
def rules_fingerprint() -> str:
    """A cheap token that changes whenever any district override or elder profile changes (two
    aggregate queries: row count, sum of version/revision counters and newest change time)."""
    districts = DistrictRuleOverride.objects.aggregate(n=Count("id"), v=Sum("version"), at=Max("updated_at"))
    profiles = ElderMonitoringProfile.objects.aggregate(n=Count("id"), v=Sum("revision"), at=Max("updated_at"))
    parts = [districts["n"], districts["v"] or 0, districts["at"], profiles["n"], profiles["v"] or 0, profiles["at"]]
    return "|".join(
        "" if part is None else (part.isoformat() if hasattr(part, "isoformat") else str(part)) for part in parts
    )


_UNKNOWN = -1


class RulesResolver:
    """`resolver(elder_id) -> RuleSet` for `Engine(rules_for=resolver)`, answered from memory.

    `load()` reads every non-empty district override and every elder profile (two queries) and the
    elder -> district map of the districts that have an override (one query); an elder met later
    that the map does not hold (registered since) costs one query, once. Elders without a profile
    in a district without an override share the one compiled default `RuleSet`; elders with the
    same district and flags and no override of their own share one compiled `RuleSet` too.

    A stored document that no longer compiles (the defaults changed under it) is skipped with a
    warning (`problems`): the elder gets the layers that still compile rather than a crash.
    The runner calls `refresh()` every few seconds; when it returns True it calls
    `engine.invalidate_rules()` so that each elder's next reading asks the resolver again.
    """

    def __init__(self, base: Mapping[str, Any] | None = None) -> None:
        self._base: Mapping[str, Any] = base if base is not None else load_default_rules()
        self.default: RuleSet = default_ruleset() if base is None else compile_ruleset(merge_rules(self._base))
        self._fingerprint: str | None = None
        self._districts: dict[int, dict[str, Any]] = {}
        self._profiles: dict[int, tuple[frozenset[str], dict[str, Any]]] = {}
        self._district_of: dict[int, int] = {}
        self._compiled: dict[tuple[int | None, frozenset[str], str], RuleSet] = {}
        self.problems: list[str] = []

    # -------------------------------------------------------------- freshness
    def fingerprint(self) -> str:
        return rules_fingerprint()

    def load(self) -> None:
        """Read every override and profile now (and forget the RuleSets compiled from the old ones)."""
        fingerprint = rules_fingerprint()
        self._districts = {
            district_id: dict(document)
            for district_id, document in DistrictRuleOverride.objects.values_list("district_id", "document")
            if document
        }
        self._profiles = {
            elder_id: (frozenset(flags or ()), dict(override or {}))
            for elder_id, flags, override in ElderMonitoringProfile.objects.values_list("elder_id", "flags", "override")
            if flags or override
        }
        self._district_of = (
            dict(Elder.objects.filter(district_id__in=list(self._districts)).values_list("id", "district_id"))
            if self._districts
            else {}
        )
        self._compiled = {}
        self.problems = []
        self._fingerprint = fingerprint

    def refresh(self) -> bool:
        """Reload when the fingerprint moved since the last load; True when it did (or on first use)."""
        if self._fingerprint is not None and rules_fingerprint() == self._fingerprint:
            return False
        self.load()
        return True

    # -------------------------------------------------------------- answers
    def __call__(self, elder_id: int) -> RuleSet:
        if self._fingerprint is None:
            self.load()
        profile = self._profiles.get(elder_id)
        district_id: int | None = None
        if self._districts:
            district_id = self._district_of.get(elder_id, _UNKNOWN)
            if district_id == _UNKNOWN:
                found = Elder.objects.filter(pk=elder_id).values_list("district_id", flat=True).first()
                district_id = self._district_of[elder_id] = found if found is not None else 0
            if district_id not in self._districts:
                district_id = None
        if district_id is None and profile is None:
            return self.default
        flags, override = profile if profile is not None else (frozenset(), {})
        key = (district_id, flags, json.dumps(override, sort_keys=True) if override else "")
        rules = self._compiled.get(key)
        if rules is None:
            rules = self._compiled[key] = self._compile(elder_id, district_id, flags, override)
        return rules

    def _compile(
        self, elder_id: int, district_id: int | None, flags: frozenset[str], override: dict[str, Any]
    ) -> RuleSet:
        district = self._districts.get(district_id) if district_id is not None else None
        for layers, what in (
            ((district, override), ""),
            ((None, override), f"district {district_id} override"),
            ((district, None), f"elder {elder_id} override"),
            ((None, None), f"district {district_id} and elder {elder_id} overrides"),
        ):
            try:
                rules = compile_ruleset(merge_rules(self._base, *layers), flags)
            except (RuleError, ValueError, TypeError, KeyError) as exc:
                if not what:
                    log.debug("rules for elder %s do not compile: %s", elder_id, exc)
                continue
            if what:
                message = f"elder {elder_id}: {what} skipped, it no longer compiles against the defaults"
                log.warning("monitoring rules: %s", message)
                self.problems.append(message)
            return rules
        return self.default  # pragma: no cover - the defaults alone always compile


def rules_resolver(base: Mapping[str, Any] | None = None) -> RulesResolver:
    """A resolver for the engine runner: `Engine(rules_for=rules_resolver())` (see `RulesResolver`)."""
    return RulesResolver(base)
