"""How records are put into words for people: scale titles, the group rows of a result, the Annex A
diagnosis choices. Shared by the pages, the API and the PDF report; no database access."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.assessments import scoring

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANNEX_A_FILE = Path(__file__).resolve().parent / "data" / "annex_a_diagnoses.yaml"


def scale_title(code: str) -> str:
    """`GB/T 42195-2022《老年人能力评估规范》` for a national standard, else the scale's name; the
    code itself for an unknown scale."""
    try:
        scale = scoring.get_scale(code)
    except scoring.UnknownScale:
        return code
    if scale.standard.startswith(("GB", "MZ")):
        if scale.name_shown != scale.name:
            return f"{scale.standard} {scale.name_shown}"
        return f"{scale.standard}《{scale.name}》"
    return scale.name_shown


@cache
def _english_names(code: str) -> dict[str, str]:
    """The scale's Chinese level, grade and group names with the English its data file gives them."""
    scale = scoring.get_scale(code)
    named: list[Any] = [*scale.levels, *scale.bands, *scale.groups]
    named += [band for group in scale.groups for band in group.bands]
    return {thing.name: thing.name_en for thing in named if thing.name_en}


def name_shown(scale_code: str, name: str) -> str:
    """A level, grade or group name as stored on a record (in Chinese), in the active language: the
    English its scale's data file gives that name, else the stored name. Records are never rewritten."""
    from yiyang.core.text import in_language

    try:
        english = _english_names(scale_code).get(name)
    except scoring.UnknownScale:
        english = None
    return in_language(name, english)


# Short names for tight places (the profile's history table); the full title elsewhere.
_SHORT: "dict[str, StrOrPromise]" = {
    "gbt42195-2022": "GB/T 42195-2022",
    "mzt039-2013": "MZ/T 039-2013",
    "ltc-2021": gettext_lazy("长护失能等级"),
    "ltc-2021-self": gettext_lazy("长护自评"),
    "barthel": gettext_lazy("Barthel 指数"),
    "selfcare-phs": gettext_lazy("生活自理能力"),
}


def scale_short(code: str) -> str:
    """A short label for a scale (`GB/T 42195-2022`, `长护失能等级`…), in the active language."""
    return str(_SHORT.get(code, code))


def unverified_parts(scale: scoring.Scale) -> list[str]:
    """What in the shipped data of `scale` is not verified: sources, rules, settings, bands and the
    combination table, each named once (empty when everything is verified), in the active language
    where the scale file gives an English text."""
    # (Chinese, shown): the Chinese decides what is already named, the shown text is what is listed.
    parts = [(source.title, source.title_shown) for source in scale.sources if not source.verified]
    parts += [
        (f"{rule.clause or rule.code}：{rule.text}", f"{rule.clause_shown or rule.code}{_colon()}{rule.text_shown}")
        for rule in scale.rules
        if not rule.verified
    ]
    parts += [
        (
            f"设置 {setting.code}：{setting.text}",
            _("设置 %(code)s：%(text)s") % {"code": setting.code, "text": setting.text_shown},
        )
        for setting in scale.settings
        if not setting.verified
    ]
    bands = [band for band in scale.bands if not band.verified]
    bands += [band for group in scale.groups for band in group.bands if not band.verified]
    if bands and not any("分级" in chinese for chinese, _shown in parts):
        parts.append(("分级界值", _("分级界值")))
    if (
        scale.combination is not None
        and not scale.combination.verified
        and not any("组合" in chinese for chinese, _shown in parts)
    ):
        parts.append(("组合表", _("组合表")))
    return [shown for _chinese, shown in parts]


def _colon() -> str:
    from django.utils.translation import pgettext

    return pgettext("label separator", "：")


@dataclass(frozen=True)
class GroupRow:
    code: str
    name: str
    total: int | None
    max: int
    level: int | None
    level_name: str


def result_groups(scale_code: str, result: dict[str, Any] | None) -> list[GroupRow]:
    """One row per group of the scale with its total and grade (where the scale grades groups)."""
    if not result:
        return []
    try:
        scale = scoring.get_scale(scale_code)
    except scoring.UnknownScale:
        return []
    totals: dict[str, int] = result.get("group_totals") or {}
    levels: dict[str, dict[str, Any]] = result.get("group_levels") or {}
    rows = []
    for group in scale.groups:
        grade = levels.get(group.code) or {}
        rows.append(
            GroupRow(
                code=group.code,
                name=group.name_shown,
                total=totals.get(group.code),
                max=group.max,
                level=grade.get("level"),
                level_name=name_shown(scale_code, str(grade.get("name") or "")),
            )
        )
    return rows


@dataclass(frozen=True)
class Diagnosis:
    label: str
    range: str
    code: str
    label_en: str = ""

    @property
    def label_shown(self) -> str:
        """`label` in the active language (`label_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.label, self.label_en)


@dataclass(frozen=True)
class DiagnosisChoices:
    entries: tuple[Diagnosis, ...]
    source: str
    verified: bool
    source_en: str = ""

    @property
    def source_shown(self) -> str:
        """`source` in the active language (`source_en` in English where there is one)."""
        from yiyang.core.text import in_language

        return in_language(self.source, self.source_en)

    def label_of(self, code: str) -> str | None:
        """The diagnosis' label in the active language, None for a code not offered."""
        return next((d.label_shown for d in self.entries if d.code == code), None)


@cache
def annex_a_diagnoses() -> DiagnosisChoices:
    """The Annex A disease groups offered on the GB/T 42195 form, with their representative codes."""
    raw = yaml.safe_load(ANNEX_A_FILE.read_text(encoding="utf-8"))
    return DiagnosisChoices(
        entries=tuple(
            Diagnosis(str(e["label"]), str(e["range"]), str(e["code"]), str(e.get("label_en") or ""))
            for e in raw["entries"]
        ),
        source=str(raw["source"]),
        verified=bool(raw.get("verified", False)),
        source_en=str(raw.get("source_en") or ""),
    )


# Scales whose scoring words every explanation step and unverified sentence as msgids, with English
# texts for all the data those sentences quote (all six today; a new scale joins once it does too —
# tests/test_english_explanation.py checks random answers of each). Others show the stored Chinese.
EXPLAINED_IN_ENGLISH = frozenset(
    {"gbt42195-2022", "ltc-2021", "ltc-2021-self", "barthel", "selfcare-phs", "mzt039-2013"}
)


@dataclass(frozen=True)
class Explanation:
    steps: list[dict[str, Any]]
    unverified: list[str]
    stored: bool  # True: the Chinese stored on the record, shown as it is


def explanation_shown(assessment: Any) -> Explanation | None:
    """How the record's result was reached, in the active language. The stored explanation (Chinese)
    is shown as it is unless English is active and the record can be re-scored exactly as it was: a
    scale explained in English, the same scale data (fingerprint), the policy version and settings
    stored on the record, and the same level as stored. Nothing is written. None without a result."""
    from django.utils.translation import get_language

    result = assessment.result
    if not result:
        return None
    stored = Explanation(list(result.get("explanation") or []), list(result.get("unverified") or []), stored=True)
    if not (get_language() or "").startswith("en") or assessment.scale not in EXPLAINED_IN_ENGLISH:
        return stored
    if assessment.scale_version != scoring.scale_fingerprint(assessment.scale):
        return stored
    policy = assessment.policy.data if assessment.policy_id and assessment.policy else None
    try:
        again = scoring.score_in_active_language(
            assessment.scale, assessment.answers, policy=policy or None, settings=assessment.scoring_settings or None
        )
    except (scoring.InvalidAnswers, scoring.InvalidPolicy, scoring.UnknownScale):
        return stored
    if again.level != assessment.level:
        return stored
    return Explanation([step.as_dict() for step in again.explanation], list(again.unverified), stored=False)
