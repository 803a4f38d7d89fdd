"""The facts an applicant declares for each scheme (Application.facts): their names, types, labels and
choices, and how a submitted value is read. The rules (rules.py) then judge them against the policy.

Monthly schemes declare nothing: their facts come from the registry (the elder, the institution)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.benefits.choices import Scheme, SubjectKind

SUBJECT_KINDS: dict[str, str] = {
    Scheme.RESIDENT_CARE: SubjectKind.ELDER,
    Scheme.BED_OPERATION: SubjectKind.ORGANISATION,
    Scheme.STARTUP: SubjectKind.ORGANISATION,
    Scheme.RATING_REWARD: SubjectKind.ORGANISATION,
    Scheme.CARE_WORKER_ENTRY: SubjectKind.WORKER,
    Scheme.CARE_WORKER_SERVICE: SubjectKind.WORKER,
    Scheme.TALENT_ENTRY: SubjectKind.WORKER,
    Scheme.TALENT_SKILL: SubjectKind.WORKER,
    Scheme.TRAINING: SubjectKind.WORKER,
}
MONTHLY = frozenset({Scheme.RESIDENT_CARE.value, Scheme.BED_OPERATION.value})


@dataclass(frozen=True)
class Fact:
    name: str
    label: str | Promise
    kind: str  # "int", "choice", "date" or "bool"
    choices: tuple[tuple[str, str | Promise], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # Required only when another fact has a value: (fact name, value).
    required_when: tuple[str, str] | None = None


PREMISES = (("own_building", _("自建用房")), ("rented", _("租赁用房")))
EDUCATION = (("secondary_vocational", _("中职/技工院校")), ("higher_education", _("高校/高级工班/预备技师班")))
DEGREE = (("bachelor", _("本科及以上")), ("college", _("大专")), ("secondary", _("中专/中职")))

FACTS: dict[str, tuple[Fact, ...]] = {
    Scheme.STARTUP: (
        Fact("approved_beds", _("核定床位（张）"), "int", minimum=1),
        Fact("premises", _("用房性质"), "choice", PREMISES),
        Fact("lease_years", _("租期（年）"), "int", minimum=0, required_when=("premises", "rented")),
    ),
    Scheme.RATING_REWARD: (
        Fact("rating_grade", _("评定等级（级）"), "int", minimum=1, maximum=5),
        Fact("rated_on", _("评定日期"), "date"),
    ),
    Scheme.CARE_WORKER_ENTRY: (
        Fact("education", _("学历"), "choice", EDUCATION),
        Fact("years_of_service", _("在本机构一线工作年限（年）"), "int", minimum=0),
    ),
    Scheme.CARE_WORKER_SERVICE: (
        Fact("years_of_service", _("一线护理累计年限（年）"), "int", minimum=0),
        Fact("lower_award_paid", _("已领取满 3 年档在职奖补"), "bool"),
    ),
    Scheme.TALENT_ENTRY: (
        Fact("degree", _("学历"), "choice", DEGREE),
        Fact("hired_on", _("入职日期"), "date"),
    ),
    Scheme.TALENT_SKILL: (
        Fact("skill_grade", _("技能等级（级）"), "int", minimum=1, maximum=5),
        Fact("certified_on", _("取证日期"), "date"),
    ),
    Scheme.TRAINING: (
        Fact("certificate_grade", _("证书等级（级）"), "int", minimum=3, maximum=5),
        Fact("certified_on", _("取证日期"), "date"),
    ),
}

TRUE_WORDS = frozenset({"true", "1", "on", "yes"})
FALSE_WORDS = frozenset({"false", "0", "off", "no", ""})


def facts_of(scheme: str) -> tuple[Fact, ...]:
    return FACTS.get(scheme, ())


def _read(fact: Fact, raw: Any) -> tuple[Any, str | None]:
    """(value, None) or (None, reason)."""
    if fact.kind == "int":
        if isinstance(raw, bool):
            return None, str(_("应为整数"))
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int):
            return None, str(_("应为整数"))
        if fact.minimum is not None and fact.maximum is not None and not fact.minimum <= raw <= fact.maximum:
            return None, str(_("应为 %(low)s 至 %(high)s") % {"low": fact.minimum, "high": fact.maximum})
        if fact.minimum is not None and raw < fact.minimum:
            return None, str(_("应为不小于 %(low)s 的整数") % {"low": fact.minimum})
        return raw, None
    if fact.kind == "choice":
        names = [c for c, _label in fact.choices]
        if raw not in names:
            return None, str(
                _("应为以下之一：%(choices)s") % {"choices": "、".join(str(lbl) for _c, lbl in fact.choices)}
            )
        return raw, None
    if fact.kind == "date":
        try:
            return date.fromisoformat(str(raw).strip()).isoformat(), None
        except ValueError:
            return None, str(_("应为日期 YYYY-MM-DD"))
    # bool
    if isinstance(raw, bool):
        return raw, None
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True, None
    if text in FALSE_WORDS:
        return False, None
    return None, str(_("应为“是”或“否”"))


def read_facts(scheme: str, raw: Any) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The declared facts of `scheme` as stored (ints, ISO dates, booleans), and every problem as
    (field, reason, code) with the field named `facts.<name>`. A fact the scheme does not ask for is
    refused; a fact required only with another value (the lease of rented premises) is dropped
    without it."""
    problems: list[tuple[str, str, str]] = []
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        return {}, [("facts", str(_("申报事实应为以事项名为键的对象")), "invalid")]
    specs = {f.name: f for f in facts_of(scheme)}
    if not specs and raw:
        return {}, [("facts", str(_("该补贴项目不需要申报事实（由登记信息核定）")), "not_allowed")]
    for name in sorted(set(raw) - set(specs)):
        problems.append((f"facts.{str(name)[:40]}", str(_("该补贴项目没有这一申报事项")), "unknown"))
    values: dict[str, Any] = {}
    for fact in specs.values():
        if fact.required_when is not None:
            other, wanted = fact.required_when
            if raw.get(other) != wanted:
                continue
        value = raw.get(fact.name)
        if value is None or (isinstance(value, str) and not value.strip() and fact.kind != "bool"):
            if fact.kind == "bool":
                values[fact.name] = False
                continue
            problems.append((f"facts.{fact.name}", str(_("请填写%(label)s") % {"label": fact.label}), "required"))
            continue
        read, reason = _read(fact, value)
        if reason is not None:
            problems.append((f"facts.{fact.name}", reason, "invalid"))
        else:
            values[fact.name] = read
    return values, problems


def fact_rows(scheme: str, facts: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value shown) for each declared fact, in the scheme's order, for pages."""
    rows = []
    for fact in facts_of(scheme):
        if fact.name not in facts:
            continue
        value = facts[fact.name]
        if fact.kind == "choice":
            shown = str(dict(fact.choices).get(value, value))
        elif fact.kind == "bool":
            shown = str(_("是") if value else _("否"))
        else:
            shown = str(value)
        rows.append((str(fact.label), shown))
    return rows
