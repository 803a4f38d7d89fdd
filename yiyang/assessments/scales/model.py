"""The shapes of a scale definition (loaded from data/<code>.yaml) and of a scoring result.

Everything is a frozen dataclass: a `Scale` is built once by `loading.py` and shared. Mappings inside
frozen objects are read-only views (`types.MappingProxyType`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

StepKind = Literal["sum", "band", "rule", "combine", "cap"]


def shown(thing: Any, field_name: str) -> str:
    """`thing.<field_name>` in the active language: `<field_name>_en` in English where there is one."""
    from yiyang.core.text import in_language

    return in_language(getattr(thing, field_name) or "", getattr(thing, f"{field_name}_en", "") or "")


@dataclass(frozen=True)
class Source:
    """Where content came from. `verified` is False for recalled, inferred, OCR or our own decisions."""

    id: str
    title: str
    reference: str
    verified: bool
    note: str = ""
    title_en: str = ""

    @property
    def title_shown(self) -> str:
        """`title` in the active language (`title_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.title, self.title_en)


@dataclass(frozen=True)
class Option:
    """One answer option of an item. `text` is None where standards.md does not give the wording."""

    score: int
    text: str | None
    code: str | None = None
    label: str | None = None
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""
    text_en: str = ""
    note_en: str = ""

    @property
    def text_shown(self) -> str | None:
        """`text` in the active language (`text_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return None if self.text is None else in_language(self.text, self.text_en)


@dataclass(frozen=True)
class FactResolution:
    """An integer score shared by several options, told apart by a boolean fact (B.3.9 0 + `coma`)."""

    fact: str
    when_true: str
    when_false: str


@dataclass(frozen=True)
class Item:
    code: str
    group: str
    text: str
    options: tuple[Option, ...]
    note: str = ""
    sources: tuple[str, ...] = ()
    resolve_by_fact: FactResolution | None = None
    text_en: str = ""
    note_en: str = ""

    @property
    def note_shown(self) -> str:
        """`note` in the active language (`note_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.note, self.note_en)

    @property
    def text_shown(self) -> str | None:
        """`text` in the active language (`text_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return None if self.text is None else in_language(self.text, self.text_en)

    @property
    def max_score(self) -> int:
        return max(option.score for option in self.options)

    @property
    def min_score(self) -> int:
        return min(option.score for option in self.options)

    @property
    def allowed_scores(self) -> tuple[int, ...]:
        """Distinct scores, highest first."""
        return tuple(sorted({option.score for option in self.options}, reverse=True))

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options if option.code)

    def options_with_score(self, score: int) -> tuple[Option, ...]:
        return tuple(option for option in self.options if option.score == score)

    def option_by_code(self, code: str) -> Option | None:
        return next((option for option in self.options if option.code == code), None)


@dataclass(frozen=True)
class Band:
    """A closed score interval [min, max] that maps a total to a level (or a group grade)."""

    level: int
    name: str
    min: int
    max: int
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""
    name_en: str = ""
    note_en: str = ""

    @property
    def name_shown(self) -> str:
        """`name` in the active language (`name_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.name, self.name_en)

    def contains(self, total: int) -> bool:
        return self.min <= total <= self.max

    @property
    def range_text(self) -> str:
        return f"{self.min}分" if self.min == self.max else f"{self.min}–{self.max}分"


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    items: tuple[str, ...]
    max: int
    bands: tuple[Band, ...] = ()
    note: str = ""
    name_en: str = ""

    @property
    def name_shown(self) -> str:
        """`name` in the active language (`name_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.name, self.name_en)


@dataclass(frozen=True)
class Level:
    """A final level of the scale. `may_apply` is only set for the LTC self-assessment (E/F/G)."""

    level: int
    code: str
    name: str
    description: str = ""
    may_apply: bool | None = None
    name_en: str = ""
    description_en: str = ""

    @property
    def name_shown(self) -> str:
        """`name` in the active language (`name_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.name, self.name_en)


@dataclass(frozen=True)
class Combination:
    """A lookup table: rows indexed by one group, columns by the worst (highest index) of other groups.

    `index` says what indexes the table: each group's grade (`level`) or its total (`total`).
    """

    rows: str
    columns: tuple[str, ...]
    index: Literal["level", "total"]
    table: tuple[tuple[int, ...], ...]
    text: str
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""
    text_en: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Rule:
    """A rule of the scale; `params` are its data (ICD ranges, thresholds, clause texts, tables)."""

    code: str
    clause: str | None
    text: str
    params: Mapping[str, Any]
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""
    text_en: str = ""
    clause_en: str = ""
    note_en: str = ""

    @property
    def text_shown(self) -> str:
        """`text` in the active language (`text_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.text, self.text_en)

    @property
    def clause_shown(self) -> str | None:
        """`clause` in the active language (`clause_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return None if self.clause is None else in_language(self.clause, self.clause_en)


@dataclass(frozen=True)
class Setting:
    """A policy switch (e.g. `stack_level_rules`); `verified` False means the standard is silent."""

    code: str
    default: bool
    text: str
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""
    text_en: str = ""
    note_en: str = ""

    @property
    def text_shown(self) -> str:
        """`text` in the active language (`text_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.text, self.text_en)


@dataclass(frozen=True)
class Fact:
    """A top-level answers key that is not an item: `bool`, `icd10_list` or `nonneg_int`."""

    code: str
    type: Literal["bool", "icd10_list", "nonneg_int"]
    required: bool
    text: str
    text_en: str = ""

    @property
    def text_shown(self) -> str:
        """`text` in the active language (`text_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.text, self.text_en)


@dataclass(frozen=True)
class PolicyInfo:
    """Where a replaced part of the policy data came from (an officer's override)."""

    source: str
    verified: bool
    note: str = ""
    replaced: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "verified": self.verified, "note": self.note, "replaced": list(self.replaced)}


@dataclass(frozen=True)
class Scale:
    code: str
    version: int
    name: str
    standard: str
    status: Literal["current", "superseded"]
    issued: date | None
    effective: date | None
    superseded: date | None
    superseded_by: str | None
    dates_note: str
    direction: Literal["higher_is_better", "higher_is_worse", "mixed"]
    max_total: int | None
    note: str
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    levels: tuple[Level, ...]
    bands: tuple[Band, ...]
    combination: Combination | None
    rules: tuple[Rule, ...]
    settings: tuple[Setting, ...]
    policy_keys: tuple[str, ...]
    policy: PolicyInfo | None = None
    name_en: str = ""

    @property
    def name_shown(self) -> str:
        """`name` in the active language (`name_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.name, self.name_en)

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)

    def group(self, code: str) -> Group:
        return next(group for group in self.groups if group.code == code)

    def level(self, level: int) -> Level:
        return next(candidate for candidate in self.levels if candidate.level == level)

    def rule(self, code: str) -> Rule:
        return next(rule for rule in self.rules if rule.code == code)

    def source(self, source_id: str) -> Source:
        return next(source for source in self.sources if source.id == source_id)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def fact_codes(self) -> tuple[str, ...]:
        return tuple(fact.code for fact in self.facts)

    @property
    def setting_defaults(self) -> dict[str, bool]:
        return {setting.code: setting.default for setting in self.settings}


@dataclass(frozen=True)
class Step:
    """One explanation step: what was computed, in a Chinese sentence, with the numbers behind it."""

    kind: StepKind
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "data": dict(self.data)}


@dataclass(frozen=True)
class ScaleResult:
    """The result of scoring one set of answers, with every step that led to it.

    `total` is None for scales without a meaningful single total (ltc-2021, ltc-2021-self,
    mzt039-2013); `group_totals` is always filled for every group whose items were all answered.
    `preliminary_level` is the level before rules (GB/T 42195 C3, MZ/T 039 C.2), None where the
    scale has no rules or the preliminary level could not be computed (MZ/T coma with items omitted).
    `unverified` names, in Chinese, every unverified value this result depends on; `verified` is
    True exactly when that list is empty.
    """

    scale: str
    scale_name: str
    scale_version: int
    total: int | None
    group_totals: dict[str, int]
    group_levels: dict[str, dict[str, Any]]
    preliminary_level: int | None
    level: int
    level_name: str
    level_code: str
    may_apply: bool | None
    item_scores: dict[str, int]
    option_codes: dict[str, str]
    facts: dict[str, Any]
    rules_applied: list[str]
    settings: dict[str, bool]
    policy: PolicyInfo | None
    explanation: list[Step]
    unverified: list[str]
    verified: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verified", not self.unverified)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: only str/int/bool/None, lists and dicts."""
        return {
            "scale": self.scale,
            "scale_name": self.scale_name,
            "scale_version": self.scale_version,
            "total": self.total,
            "group_totals": dict(self.group_totals),
            "group_levels": {code: dict(value) for code, value in self.group_levels.items()},
            "preliminary_level": self.preliminary_level,
            "level": self.level,
            "level_name": self.level_name,
            "level_code": self.level_code,
            "may_apply": self.may_apply,
            "item_scores": dict(self.item_scores),
            "option_codes": dict(self.option_codes),
            "facts": dict(self.facts),
            "rules_applied": list(self.rules_applied),
            "settings": dict(self.settings),
            "policy": self.policy.as_dict() if self.policy else None,
            "explanation": [step.as_dict() for step in self.explanation],
            "unverified": list(self.unverified),
            "verified": self.verified,
        }
