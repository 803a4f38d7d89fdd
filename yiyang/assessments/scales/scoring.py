"""Pure scoring: validate answers against a scale, then compute the level with every step explained.

One function per scale (`score_gbt42195`, `score_ltc2021`, `score_ltc2021_self`, `score_barthel`,
`score_selfcare_phs`, `score_mzt039`) and the dispatcher `score`. Scores, bands, tables and rule
parameters come from the data files (see `loading.py`); the code holds only the logic the standards
describe in words. Each unverified value a result depends on is named in `ScaleResult.unverified`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from yiyang.assessments.scales import icd10
from yiyang.assessments.scales.errors import InvalidAnswers
from yiyang.assessments.scales.loading import apply_policy, get_scale, parse_settings
from yiyang.assessments.scales.model import (
    Band,
    Combination,
    Fact,
    Group,
    Item,
    Option,
    Rule,
    Scale,
    ScaleResult,
    Step,
    shown,
)
from yiyang.core.errors import FieldError

# ---------------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------------


@dataclass
class Answers:
    """Validated answers: the chosen option per answered item, and the normalised facts."""

    options: dict[str, Option] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def scores(self) -> dict[str, int]:
        return {code: option.score for code, option in self.options.items()}

    @property
    def codes(self) -> dict[str, str]:
        return {code: option.code for code, option in self.options.items() if option.code}


def parse_answers(scale: Scale, answers: object) -> Answers:
    """Check every answer and fact; raise `InvalidAnswers` listing all problems at once.

    An item is answered with an allowed score (int) or an option code (str). A score shared by several
    options is resolved by the item's boolean fact (GB/T 42195 B.3.9: 0 + `coma`), otherwise it is
    ambiguous and the option code must be used. Items a matched `may_omit` rule lists (MZ/T 039 coma)
    may be left out.
    """
    if not isinstance(answers, Mapping):
        reason = "答案应为对象（键值对），键为题目代码或事实字段"
        raise InvalidAnswers(reason, errors=[FieldError("answers", reason, "invalid")])
    errors: list[FieldError] = []
    items = {item.code: item for item in scale.items}
    facts = {fact.code: fact for fact in scale.facts}
    parsed = Answers()

    for key in answers:
        if key not in items and key not in facts:
            errors.append(FieldError(str(key), _unknown_key_reason(scale, key), "unknown_item"))

    for fact in scale.facts:
        if fact.code not in answers:
            if fact.required:
                errors.append(FieldError(fact.code, f"缺少事实字段 {fact.code}（{fact.text}）", "missing_fact"))
            continue
        value, problem = _parse_fact(fact, answers[fact.code])
        if problem:
            errors.append(FieldError(fact.code, problem, "invalid_fact"))
        else:
            parsed.facts[fact.code] = value

    missing: list[Item] = []
    for item in scale.items:
        if item.code not in answers:
            missing.append(item)
            continue
        option, error = _parse_item_answer(item, answers[item.code], answers, facts)
        if error is not None:
            errors.append(error)
        elif option is not None:
            parsed.options[item.code] = option

    omittable = _omittable_items(scale, parsed)
    for item in missing:
        if item.code not in omittable:
            errors.append(FieldError(item.code, f"缺少题目 {item.code}（{item.text}）的答案", "missing_item"))

    if errors:
        raise InvalidAnswers(f"评估答案有误：共 {len(errors)} 处问题", errors=errors)
    return parsed


def _unknown_key_reason(scale: Scale, key: object) -> str:
    reason = f"未知的题目代码“{key}”；量表 {scale.code} 的题目代码为 {'、'.join(scale.item_codes)}"
    if scale.facts:
        reason += f"；事实字段为 {'、'.join(scale.fact_codes)}"
    return reason


def _parse_fact(fact: Fact, value: object) -> tuple[Any, str | None]:
    if fact.type == "bool":
        if not isinstance(value, bool):
            return None, f"{fact.code} 应为 true 或 false，实为 {_show(value)}"
        return value, None
    if fact.type == "nonneg_int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None, f"{fact.code} 应为非负整数（次数），实为 {_show(value)}"
        return value, None
    # icd10_list
    if not isinstance(value, list):
        return None, f'{fact.code} 应为 ICD-10 编码列表（如 ["F03", "I10"]，没有时为 []），实为 {_show(value)}'
    bad = [
        f"第{index + 1}项 {_show(entry)}"
        for index, entry in enumerate(value)
        if not isinstance(entry, str) or not icd10.is_code(entry)
    ]
    if bad:
        return None, f"{fact.code} 应为 ICD-10 编码列表（如 F03、F03.9、I10）；不是 ICD-10 编码的有：{'、'.join(bad)}"
    codes: list[str] = []
    for entry in value:
        code = icd10.normalise(entry)
        if code not in codes:
            codes.append(code)
    return codes, None


def _parse_item_answer(
    item: Item, value: object, answers: Mapping[str, object], facts: Mapping[str, Fact]
) -> tuple[Option | None, FieldError | None]:
    """The chosen option, or the error for this item (or for the fact that resolves it)."""
    if isinstance(value, str):
        option = item.option_by_code(value)
        if option is None:
            return None, FieldError(item.code, _invalid_reason(item, value), "invalid_score")
        return _check_resolving_fact(item, option, answers, facts)
    if isinstance(value, bool) or not isinstance(value, int):
        return None, FieldError(item.code, _invalid_reason(item, value), "invalid_score")
    candidates = item.options_with_score(value)
    if not candidates:
        return None, FieldError(item.code, _invalid_reason(item, value), "invalid_score")
    if len(candidates) == 1:
        return _check_resolving_fact(item, candidates[0], answers, facts)
    resolution = item.resolve_by_fact
    choices = "、".join(f"{option.code}（{_short(option.text)}）" for option in candidates)
    if resolution is None:
        reason = f"{item.code} 的分值 {value} 对应多个选项：{choices}；请改填选项代码"
        return None, FieldError(item.code, reason, "ambiguous_score")
    fact_value = answers.get(resolution.fact)
    if resolution.fact not in answers:
        reason = (
            f"{item.code} 评为 {value} 分时须说明是哪一项：给出 {resolution.fact}（true 为 {resolution.when_true}，"
            f"false 为 {resolution.when_false}），或直接填选项代码 {resolution.when_false} / {resolution.when_true}"
        )
        return None, FieldError(resolution.fact, reason, "missing_fact")
    if not isinstance(fact_value, bool):
        return None, None  # the fact's own error is already reported
    chosen = item.option_by_code(resolution.when_true if fact_value else resolution.when_false)
    return chosen, None


def _check_resolving_fact(
    item: Item, option: Option, answers: Mapping[str, object], facts: Mapping[str, Fact]
) -> tuple[Option | None, FieldError | None]:
    """A resolving fact given alongside the answer must agree with it (`coma: true` needs B.3.9 = coma)."""
    resolution = item.resolve_by_fact
    if resolution is None or resolution.fact not in answers or not isinstance(answers[resolution.fact], bool):
        return option, None
    fact_value = answers[resolution.fact]
    implied = resolution.when_true if fact_value else resolution.when_false
    if fact_value and option.code != resolution.when_true:
        reason = (
            f"{resolution.fact} 为 true 时 {item.code} 应为 {resolution.when_true}（0 分），实为 {_option_show(option)}"
        )
        return None, FieldError(resolution.fact, reason, "invalid_fact")
    if not fact_value and option.code == resolution.when_true:
        reason = f"{resolution.fact} 为 false 与 {item.code} = {resolution.when_true} 矛盾；昏睡请填 {implied}"
        return None, FieldError(resolution.fact, reason, "invalid_fact")
    return option, None


def _invalid_reason(item: Item, value: object) -> str:
    scores = "、".join(str(score) for score in item.allowed_scores)
    reason = f"{item.code}（{_short(item.text)}）的答案 {_show(value)} 不允许；允许的分值：{scores}"
    if item.option_codes:
        codes = "、".join(f"{option.code}（{_short(option.text)}）" for option in item.options if option.code)
        reason += f"；或选项代码：{codes}"
    return reason


def _omittable_items(scale: Scale, answers: Answers) -> set[str]:
    out: set[str] = set()
    for rule in scale.rules:
        if "may_omit" in rule.params and _rule_item_matches(rule, answers):
            out.update(rule.params["may_omit"])
    return out


def _rule_item_matches(rule: Rule, answers: Answers) -> bool:
    option = answers.options.get(rule.params["item"])
    if option is None:
        return False
    if "option" in rule.params:
        return option.code == rule.params["option"]
    return option.score == rule.params["score"]


def _list(parts: Sequence[str]) -> str:
    """Parts joined as a list in the active language (、 in Chinese)."""
    return pgettext("separator between list items", "、").join(parts)


def _note(thing: Any) -> str:
    """`：note` in the active language, or nothing when `thing` has no note."""
    note = shown(thing, "note")
    return pgettext("label separator", "：") + note if note else ""


def _in_language(entry: Mapping[str, Any], key: str) -> str:
    """A text of a rule's params (`key`, with `<key>_en` beside it) in the active language."""
    from yiyang.core.text import in_language

    return in_language(str(entry[key]), entry.get(f"{key}_en"))


def _without_full_stop(text: str) -> str:
    return text.rstrip("。").rstrip(".")


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "列表"
    if isinstance(value, Mapping):
        return "对象"
    return type(value).__name__


def _short(text: str | None, limit: int = 16) -> str:
    if not text:
        return "无选项文字"
    head = text.split("：")[0]
    return head if len(head) <= limit else head[:limit] + "…"


def _option_show(option: Option) -> str:
    return f"{option.score}" + (f"（{option.code}）" if option.code else "")


# ---------------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------------


class _Trace:
    """Collects explanation steps, unverified sentences and the rules that matched."""

    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.steps: list[Step] = []
        self.unverified: list[str] = []
        self.rules_applied: list[str] = []

    def step(self, kind: Any, text: str, **data: Any) -> None:
        self.steps.append(Step(kind, text, data))

    def unverified_value(self, sentence: str) -> None:
        if sentence not in self.unverified:
            self.unverified.append(sentence)

    def sources_text(self, ids: Sequence[str]) -> str:
        parts = []
        for source_id in ids:
            source = self.scale.source(source_id)
            named = _("%(id)s“%(title)s”") % {"id": source.id, "title": shown(source, "title")}
            if source.id == "POLICY":
                named += _("（%(reference)s）") % {"reference": source.reference}
            parts.append(named)
        return _list(parts) or _("未注明来源")

    def band_used(self, band: Band, what: str) -> None:
        if not band.verified:
            self.unverified_value(
                _("%(what)s分级“%(level)s %(name)s：%(range)s”未经核实（来源：%(sources)s）")
                % {
                    "what": what,
                    "level": band.level,
                    "name": shown(band, "name"),
                    "range": _range_text(band),
                    "sources": self.sources_text(band.sources),
                }
                + _note(band)
            )

    def rule_used(self, rule: Rule) -> None:
        if not rule.verified:
            self.unverified_value(
                _("%(clause)s“%(text)s”未经核实：%(note)s")
                % {
                    "clause": shown(rule, "clause") or rule.code,
                    "text": _without_full_stop(shown(rule, "text")),
                    "note": shown(rule, "note"),
                }
            )

    def options_used(self, answers: Answers) -> None:
        for code, option in answers.options.items():
            if not option.verified:
                item = self.scale.item(code)
                self.unverified_value(
                    _("%(item)s“%(text)s”选项“%(option)s”的分值 %(score)s 未经核实：%(note)s")
                    % {
                        "item": item.code,
                        "text": shown(item, "text"),
                        "option": shown(option, "text"),
                        "score": option.score,
                        "note": shown(option, "note"),
                    }
                )


def _where(band: Band) -> str:
    if band.min == band.max:
        return _("对应 %(min)s 分一档") % {"min": band.min}
    return _("在 %(min)s–%(max)s 分区间") % {"min": band.min, "max": band.max}


def _range_text(band: Band) -> str:
    if band.min == band.max:
        return _("%(min)s分") % {"min": band.min}
    return _("%(min)s–%(max)s分") % {"min": band.min, "max": band.max}


def _band_of(bands: Sequence[Band], total: int) -> Band:
    return next(band for band in bands if band.contains(total))


def _group_total(group: Group, answers: Answers) -> int | None:
    scores = answers.scores
    if any(code not in scores for code in group.items):
        return None
    return sum(scores[code] for code in group.items)


def _sum_group(trace: _Trace, group: Group, total: int) -> None:
    trace.step(
        "sum",
        _("%(group)s %(count)s 项合计 %(total)s 分（满分 %(max)s 分）")
        % {"group": shown(group, "name"), "count": len(group.items), "total": total, "max": group.max},
        group=group.code,
        total=total,
        max=group.max,
    )


def _grade_group(trace: _Trace, group: Group, total: int) -> Band:
    band = _band_of(group.bands, total)
    trace.step(
        "band",
        _("%(group)s %(total)s 分，%(where)s，分级为 %(level)s（%(name)s）")
        % {
            "group": shown(group, "name"),
            "total": total,
            "where": _where(band),
            "level": band.level,
            "name": shown(band, "name"),
        },
        group=group.code,
        total=total,
        band={"level": band.level, "name": band.name, "min": band.min, "max": band.max, "verified": band.verified},
    )
    trace.band_used(band, shown(group, "name"))
    return band


def _overall_band(trace: _Trace, scale: Scale, total: int, *, prefix: str) -> Band:
    band = _band_of(scale.bands, total)
    trace.step(
        "band",
        _("总分 %(total)s 分，%(where)s，%(prefix)s为 %(level)s 级（%(name)s）")
        % {"total": total, "where": _where(band), "prefix": prefix, "level": band.level, "name": shown(band, "name")},
        total=total,
        band={"level": band.level, "name": band.name, "min": band.min, "max": band.max, "verified": band.verified},
    )
    trace.band_used(band, shown(scale, "name"))
    return band


def _combine(trace: _Trace, combination: Combination, row: int, columns: Mapping[str, int]) -> int:
    """Look the cell up; the column index is the worst (highest) of the column groups."""
    scale = trace.scale
    column = max(columns.values())
    if len(columns) > 1:
        worst = [code for code, value in columns.items() if value == column]
        parts = _list([f"{shown(scale.group(code), 'name')} {value}" for code, value in columns.items()])
        trace.step(
            "combine",
            _("%(parts)s，取较重者：%(column)s（%(worst)s）")
            % {"parts": parts, "column": column, "worst": _list([shown(scale.group(code), "name") for code in worst])},
            columns=dict(columns),
            worst=column,
        )
    cell = combination.table[row][column]
    level = scale.level(cell)
    row_name = shown(scale.group(combination.rows), "name")
    column_name = shown(scale.group(combination.columns[0]), "name")
    if len(combination.columns) > 1:
        column_name = _("%(names)s中较重者") % {
            "names": pgettext("between two names", "与").join(
                shown(scale.group(code), "name") for code in combination.columns
            )
        }
    unit = pgettext("count of items", "项") if combination.index == "total" else ""
    cell_text = _("%(row_name)s %(row)s%(unit)s × %(column_name)s %(column)s%(unit)s → %(level)s") % {
        "row_name": row_name,
        "row": row,
        "column_name": column_name,
        "column": column,
        "unit": unit,
        "level": shown(level, "name"),
    }
    trace.step(
        "combine",
        _("%(text)s%(cell)s（%(code)s）") % {"text": shown(combination, "text"), "cell": cell_text, "code": level.code},
        row=row,
        column=column,
        level=cell,
        verified=combination.verified,
    )
    if not combination.verified:
        trace.unverified_value(
            _("组合表中“%(cell)s”一格未经核实（来源：%(sources)s）")
            % {"cell": cell_text, "sources": trace.sources_text(combination.sources)}
            + _note(combination)
        )
    return cell


def _result(
    scale: Scale,
    answers: Answers,
    trace: _Trace,
    *,
    total: int | None,
    group_totals: dict[str, int],
    group_levels: dict[str, dict[str, Any]],
    preliminary_level: int | None,
    level: int,
    settings: dict[str, bool],
) -> ScaleResult:
    final = scale.level(level)
    return ScaleResult(
        scale=scale.code,
        scale_name=scale.name,
        scale_version=scale.version,
        total=total,
        group_totals=group_totals,
        group_levels=group_levels,
        preliminary_level=preliminary_level,
        level=final.level,
        level_name=final.name,
        level_code=final.code,
        may_apply=final.may_apply,
        item_scores=answers.scores,
        option_codes=answers.codes,
        facts=dict(answers.facts),
        rules_applied=list(trace.rules_applied),
        settings=dict(settings),
        policy=scale.policy,
        explanation=list(trace.steps),
        unverified=list(trace.unverified),
    )


def _matching_diagnoses(rule: Rule, diagnoses: Sequence[str]) -> list[tuple[str, str]]:
    """(code, range name) for each diagnosis in one of the rule's ICD-10 ranges."""
    out = []
    for code in diagnoses:
        for entry in rule.params["icd10"]:
            if icd10.in_range(code, entry["from"], entry["to"]):
                out.append((code, _icd10_range(entry)))
                break
    return out


def _icd10_range(entry: Mapping[str, Any]) -> str:
    from yiyang.core.text import in_language

    name = in_language(str(entry["name"]), entry.get("name_en"))
    return _("%(name)s %(first)s～%(last)s") % {"name": name, "first": entry["from"], "last": entry["to"]}


def _ranges_text(rule: Rule) -> str:
    return _list([_icd10_range(entry) for entry in rule.params["icd10"]])


@dataclass
class _Raise:
    """A matched raise-by-one rule and why it matched."""

    rule: Rule
    why: str


def _apply_raises(
    trace: _Trace, level: int, raises: Sequence[_Raise], *, stack: bool, setting_note: str, max_level: int
) -> int:
    """Apply matched +1 rules in order (one only when not stacking), then cap; explain each step."""
    scale = trace.scale
    uncapped = level
    for index, matched in enumerate(raises):
        rule = matched.rule
        if index > 0 and not stack:
            trace.step(
                "rule",
                _("%(clause)s：%(why)s，本条也满足；按设置“变更依据不叠加”（stack_level_rules=false），不再另提一级")
                % {"clause": shown(rule, "clause"), "why": matched.why},
                rule=rule.code,
                applied=True,
                changed=False,
                before=uncapped,
                after=uncapped,
            )
            continue
        before, uncapped = uncapped, uncapped + int(rule.params["raise"])
        change = (
            _("%(before)s级→%(after)s级") % {"before": before, "after": uncapped}
            if uncapped <= max_level
            else _("超过最高等级 %(max)s 级，见下一步") % {"max": max_level}
        )
        trace.step(
            "rule",
            _("%(clause)s：%(why)s；“%(text)s”，提高一级（%(change)s）")
            % {
                "clause": shown(rule, "clause"),
                "why": matched.why,
                "text": _without_full_stop(shown(rule, "text")),
                "change": change,
            },
            rule=rule.code,
            applied=True,
            changed=True,
            before=before,
            after=uncapped,
        )
        trace.rule_used(rule)
    if len(raises) > 1:
        codes = pgettext("between two names", "与").join(
            shown(matched.rule, "clause") or matched.rule.code for matched in raises
        )
        trace.unverified_value(
            _("%(codes)s同时满足，按设置 stack_level_rules=%(stack)s %(how)s：%(note)s")
            % {
                "codes": codes,
                "stack": str(stack).lower(),
                "how": _("各提高一级") if stack else _("只提高一级"),
                "note": setting_note,
            }
        )
    if uncapped > max_level:
        top = scale.level(max_level)
        trace.step(
            "cap",
            _("等级不超过 %(max)s 级（%(name)s）：按变更依据应为 %(uncapped)s 级，取 %(max)s 级")
            % {"max": max_level, "name": shown(top, "name"), "uncapped": uncapped},
            uncapped=uncapped,
            level=max_level,
        )
        return max_level
    return uncapped


# ---------------------------------------------------------------------------------------------------
# GB/T 42195-2022
# ---------------------------------------------------------------------------------------------------


def score_gbt42195(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    """GB/T 42195-2022: total 0–90 → C3 初步等级 (bands), then the C4 变更依据 → C5 最终等级.

    Rule 1 (昏迷, B.3.9 = coma) sets level 4 and the other rules are not considered. Otherwise rule 2
    (F00–F03 痴呆 or F04–F99 其他精神和行为障碍 in `diagnoses`) and rule 3 (`risk_events_30d` ≥ 2) each
    raise one level; when both match they stack only if `stack_level_rules` (policy setting, default
    true: the standard is silent). The level never exceeds 4. Reference: standards.md §1.3, §1.5, §1.7.
    """
    trace = _Trace(scale)
    trace.options_used(answers)
    group_totals = {group.code: sum(answers.scores[code] for code in group.items) for group in scale.groups}
    total = sum(group_totals.values())
    parts = pgettext("separator between clauses", "，").join(
        f"{shown(group, 'name')} {group_totals[group.code]}/{group.max}" for group in scale.groups
    )
    trace.step(
        "sum",
        _("%(count)s项得分合计 %(total)s 分（满分 %(max)s 分）：%(parts)s")
        % {"count": len(scale.items), "total": total, "max": scale.max_total, "parts": parts},
        total=total,
        groups=group_totals,
    )
    band = _overall_band(trace, scale, total, prefix=_("老年人能力初步等级"))
    preliminary = band.level

    coma, mental, risk, cap = (scale.rule(code) for code in ("coma", "mental_disorder", "risk_events", "cap"))
    max_level = int(cap.params["max_level"])
    if _rule_item_matches(coma, answers):
        target = int(coma.params["set_level"])
        change = (
            _("等级维持 %(target)s 级") % {"target": target}
            if preliminary == target
            else _("等级由 %(before)s 级改为 %(target)s 级") % {"before": preliminary, "target": target}
        )
        trace.step(
            "rule",
            _("%(clause)s：%(item)s 意识水平为昏迷；“%(text)s”，%(change)s（%(name)s）；不再考虑第2、3条")
            % {
                "clause": shown(coma, "clause"),
                "item": coma.params["item"],
                "text": _without_full_stop(shown(coma, "text")),
                "change": change,
                "name": shown(scale.level(target), "name"),
            },
            rule=coma.code,
            applied=True,
            changed=preliminary != target,
            before=preliminary,
            after=target,
        )
        trace.rules_applied.append(coma.code)
        trace.rule_used(coma)
        level = target
    else:
        raises = []
        matches = _matching_diagnoses(mental, answers.facts["diagnoses"])
        if matches:
            listed = _list([_("%(code)s（%(name)s）") % {"code": code, "name": name} for code, name in matches])
            raises.append(_Raise(mental, _("诊断含 %(listed)s") % {"listed": listed}))
        else:
            trace.step(
                "rule",
                _("%(clause)s：诊断中没有 %(ranges)s 的编码，不适用")
                % {"clause": shown(mental, "clause"), "ranges": _ranges_text(mental)},
                rule=mental.code,
                applied=False,
            )
        events, threshold = answers.facts["risk_events_30d"], int(risk.params["min_events"])
        if events >= threshold:
            raises.append(
                _Raise(
                    risk,
                    _("近30天内照护风险事件 %(events)s 次（%(threshold)s 次及以上）")
                    % {"events": events, "threshold": threshold},
                )
            )
        else:
            trace.step(
                "rule",
                _("%(clause)s：近30天内照护风险事件 %(events)s 次，少于 %(threshold)s 次，不适用")
                % {"clause": shown(risk, "clause"), "events": events, "threshold": threshold},
                rule=risk.code,
                applied=False,
                events=events,
            )
        trace.rules_applied.extend(matched.rule.code for matched in raises)
        stack_setting = next(setting for setting in scale.settings if setting.code == "stack_level_rules")
        level = _apply_raises(
            trace,
            preliminary,
            raises,
            stack=settings["stack_level_rules"],
            setting_note=shown(stack_setting, "note"),
            max_level=max_level,
        )
    final = scale.level(level)
    trace.step(
        "rule",
        _("老年人能力最终等级为 %(level)s 级（%(name)s）") % {"level": final.level, "name": shown(final, "name")},
        level=final.level,
        preliminary=preliminary,
    )
    return _result(
        scale,
        answers,
        trace,
        total=total,
        group_totals=group_totals,
        group_levels={},
        preliminary_level=preliminary,
        level=level,
        settings=settings,
    )


# ---------------------------------------------------------------------------------------------------
# 长期护理失能等级评估标准（试行）2021 and its self-assessment
# ---------------------------------------------------------------------------------------------------


def score_ltc2021(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    """LTC 2021: group totals (ADL 0–100, 认知 0–16, 感知觉与沟通 0–12) → group grades (bands) →
    组合法 table (ADL grade × the worse of the other two) → 长期护理失能等级 0–5.

    The group bands and the table are the recalled, unverified values of standards.md §3.5a unless an
    officer's policy replaced them. Reference: standards.md §3.1–3.5a.
    """
    trace = _Trace(scale)
    trace.options_used(answers)
    group_totals: dict[str, int] = {}
    group_levels: dict[str, dict[str, Any]] = {}
    for group in scale.groups:
        total = sum(answers.scores[code] for code in group.items)
        group_totals[group.code] = total
        _sum_group(trace, group, total)
        band = _grade_group(trace, group, total)
        group_levels[group.code] = {"level": band.level, "name": band.name}
    combination = scale.combination
    assert combination is not None
    level = _combine(
        trace,
        combination,
        group_levels[combination.rows]["level"],
        {code: group_levels[code]["level"] for code in combination.columns},
    )
    return _result(
        scale,
        answers,
        trace,
        total=None,
        group_totals=group_totals,
        group_levels=group_levels,
        preliminary_level=None,
        level=level,
        settings=settings,
    )


def score_ltc2021_self(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    """The LTC self-assessment: count 依赖 in a类 and b类, look up A–G; E/F/G may apply for assessment.

    Only 依赖 counts (部分独立 does not). Source: OCR-quality text (standards.md §3.6), unverified.
    """
    trace = _Trace(scale)
    group_totals: dict[str, int] = {}
    for group in scale.groups:
        count = sum(answers.scores[code] for code in group.items)
        group_totals[group.code] = count
        names = _list([shown(scale.item(code), "text") for code in group.items])
        trace.step(
            "sum",
            _("%(group)s（%(names)s）评为“依赖”的有 %(count)s 项")
            % {"group": shown(group, "name"), "names": names, "count": count},
            group=group.code,
            total=count,
        )
    combination = scale.combination
    assert combination is not None
    cell = _combine(
        trace,
        combination,
        group_totals[combination.rows],
        {code: group_totals[code] for code in combination.columns},
    )
    level = scale.level(cell)
    rule = scale.rule("may_apply")
    threshold = scale.level(int(rule.params["min_level"]))
    verdict = (
        _("可以申请") if level.may_apply else _("未达 %(grade)s，暂不能申请") % {"grade": shown(threshold, "name")}
    )
    trace.step(
        "rule",
        _("%(level)s（%(description)s）；“%(text)s”：%(verdict)s")
        % {
            "level": shown(level, "name"),
            "description": shown(level, "description"),
            "text": _without_full_stop(shown(rule, "text")),
            "verdict": verdict,
        },
        rule=rule.code,
        may_apply=level.may_apply,
    )
    trace.rules_applied.append(rule.code)
    trace.rule_used(rule)
    return _result(
        scale,
        answers,
        trace,
        total=None,
        group_totals=group_totals,
        group_levels={},
        preliminary_level=None,
        level=cell,
        settings=settings,
    )


# ---------------------------------------------------------------------------------------------------
# Single-total scales
# ---------------------------------------------------------------------------------------------------


def _score_single_total(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    trace = _Trace(scale)
    trace.options_used(answers)
    group = scale.groups[0]
    total = sum(answers.scores.values())
    _sum_group(trace, group, total)
    band = _overall_band(trace, scale, total, prefix=_("等级"))
    return _result(
        scale,
        answers,
        trace,
        total=total,
        group_totals={group.code: total},
        group_levels={},
        preliminary_level=None,
        level=band.level,
        settings=settings,
    )


def score_barthel(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    """Barthel index 0–100 → level by the MZ/T 039-2013 B.1 banding (or an officer's local banding)."""
    return _score_single_total(scale, answers, settings)


def score_selfcare_phs(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    """老年人生活自理能力评估表: total 0–37 → 可自理 / 轻度依赖 / 中度依赖 / 不能自理 (填表说明 bands)."""
    return _score_single_total(scale, answers, settings)


# ---------------------------------------------------------------------------------------------------
# MZ/T 039-2013 (superseded)
# ---------------------------------------------------------------------------------------------------

C2_BRANCHES: Mapping[str, str] = {
    "0": gettext_noop("日常生活活动、精神状态、感知觉与沟通分级均为0，社会参与分级为0或1"),
    "1a": gettext_noop("日常生活活动分级为0，但精神状态、感知觉与沟通中至少一项分级为1及以上，或社会参与的分级为2"),
    "1b": gettext_noop("日常生活活动分级为1，精神状态、感知觉与沟通、社会参与中至少有一项的分级为0或1"),
    "2a": gettext_noop("日常生活活动分级为1，但精神状态、感知觉与沟通、社会参与均为2，或有一项为3"),
    "2b": gettext_noop("日常生活活动分级为2，且精神状态、感知觉与沟通、社会参与中有1–2项的分级为1或2"),
    "3a": gettext_noop("日常生活活动的分级为3"),
    "3b": gettext_noop("日常生活活动、精神状态、感知觉与沟通、社会参与分级均为2"),
    "3c": gettext_noop("日常生活活动分级为2，且精神状态、感知觉与沟通、社会参与中至少有一项分级为3"),
}


def mzt039_c2_matches(adl: int, mental: int, perception: int, social: int) -> list[tuple[int, str]]:
    """Every C.2 alternative the four grades meet, as (level, branch code), most severe first.

    Branches (standards.md §2.3, the alternatives joined by “或”): see `C2_BRANCHES`.
    """
    others = (mental, perception, social)
    matches = []
    if adl == 3:
        matches.append((3, "3a"))
    if adl == mental == perception == social == 2:
        matches.append((3, "3b"))
    if adl == 2 and 3 in others:
        matches.append((3, "3c"))
    if adl == 1 and (all(grade == 2 for grade in others) or 3 in others):
        matches.append((2, "2a"))
    if adl == 2 and 1 <= sum(grade in (1, 2) for grade in others) <= 2:
        matches.append((2, "2b"))
    if adl == 0 and (mental >= 1 or perception >= 1 or social == 2):
        matches.append((1, "1a"))
    if adl == 1 and any(grade in (0, 1) for grade in others):
        matches.append((1, "1b"))
    if adl == mental == perception == 0 and social in (0, 1):
        matches.append((0, "0"))
    return matches


def mzt039_b3_grade(consciousness: int, vision: int | None, hearing: int | None, communication: int | None) -> int:
    """B.3 感知觉与沟通 grade by the §2.2 rules, evaluated from 3 down to 0 (first match wins).

    意识水平: 0 清醒, 1 嗜睡, 2 昏睡, 3 昏迷. Vision/hearing/communication may be None only when
    consciousness ≥ 2 (昏睡/昏迷 decide the grade alone).
    """
    if consciousness >= 2:
        return 3
    assert vision is not None and hearing is not None and communication is not None
    if vision == 4 or hearing == 4 or communication == 3:
        return 3
    if consciousness == 1:
        return 2  # 嗜睡，视力或听力 ≤3，沟通 ≤2 (the grade-3 conditions were excluded above)
    if vision == 3 or hearing == 3 or communication == 2:
        return 2
    if vision == 2 or hearing == 2 or communication == 1:
        return 1
    return 0


def score_mzt039(scale: Scale, answers: Answers, settings: dict[str, bool]) -> ScaleResult:
    """MZ/T 039-2013: four group grades → C.2 初步等级 → C.3 变更条款 → 最终等级 (0–3).

    C.2 overlaps take the more severe level and combinations C.2 does not cover take the level of the
    `c2_uncovered` table: both are our decisions, named in `unverified`. C.3: 第4条 (初步等级 3 不再提高)
    first, then 第3条 (昏迷 → 3), then 第1条 (F00–F99 in `diagnoses`, or B.2.1 = 2) and 第2条
    (`risk_events_30d` ≥ 2), stacking per `stack_level_rules`, capped at 3. Reference: standards.md §2.
    """
    trace = _Trace(scale)
    trace.options_used(answers)
    scores = answers.scores
    group_totals: dict[str, int] = {}
    group_levels: dict[str, dict[str, Any]] = {}
    b3_rule = scale.rule("b3_grading")
    for group in scale.groups:
        total = _group_total(group, answers)
        if total is not None:
            group_totals[group.code] = total
            _sum_group(trace, group, total)
        if group.bands and total is not None:
            band = _grade_group(trace, group, total)
            group_levels[group.code] = {"level": band.level, "name": band.name}
        elif not group.bands:
            codes = b3_rule.params["items"]
            grade = mzt039_b3_grade(
                scores[codes["consciousness"]],
                scores.get(codes["vision"]),
                scores.get(codes["hearing"]),
                scores.get(codes["communication"]),
            )
            clause = next(entry for entry in b3_rule.params["clauses"] if entry["level"] == grade)
            values = _list(
                [
                    f"{shown(scale.item(codes[key]), 'text')} {scores[codes[key]]}"
                    for key in ("consciousness", "vision", "hearing", "communication")
                    if codes[key] in scores
                ]
            )
            trace.step(
                "rule",
                _("%(group)s（%(values)s）符合“%(clause)s”，分级为 %(grade)s（%(name)s）")
                % {
                    "group": shown(group, "name"),
                    "values": values,
                    "clause": _in_language(clause, "text"),
                    "grade": grade,
                    "name": _in_language(clause, "name"),
                },
                group=group.code,
                rule=b3_rule.code,
                level=grade,
            )
            group_levels[group.code] = {"level": grade, "name": clause["name"]}
        else:
            trace.step(
                "sum",
                _("%(group)s：昏迷时未评估（可不进行以下项目的评估），不计算得分与分级")
                % {"group": shown(group, "name")},
                group=group.code,
            )

    preliminary = _mzt039_preliminary(trace, scale, group_levels)
    level = _mzt039_changes(trace, scale, answers, preliminary, settings)
    final = scale.level(level)
    trace.step(
        "rule",
        _("老年人能力最终等级为 %(level)s 级（%(name)s）") % {"level": final.level, "name": shown(final, "name")},
        level=final.level,
        preliminary=preliminary,
    )
    return _result(
        scale,
        answers,
        trace,
        total=None,
        group_totals=group_totals,
        group_levels=group_levels,
        preliminary_level=preliminary,
        level=level,
        settings=settings,
    )


def _mzt039_preliminary(trace: _Trace, scale: Scale, group_levels: Mapping[str, Mapping[str, Any]]) -> int | None:
    codes = [group.code for group in scale.groups]
    if any(code not in group_levels for code in codes):
        trace.step("combine", _("有未评估的一级指标，不计算 C.2 初步等级"), computed=False)
        return None
    adl, mental, perception, social = (int(group_levels[code]["level"]) for code in codes)
    grades = _list(
        [
            f"{shown(scale.group(code), 'name')} {grade}"
            for code, grade in zip(codes, (adl, mental, perception, social), strict=True)
        ]
    )
    data = {"adl": adl, "mental": mental, "perception": perception, "social": social}
    matches = mzt039_c2_matches(adl, mental, perception, social)
    c2 = scale.rule("c2_matrix")
    if matches:
        level, branch = matches[0]
        name = shown(scale.level(level), "name")
        trace.step(
            "combine",
            _("C.2：%(grades)s，符合“%(level)s %(name)s”的条件（%(branch)s），初步等级为 %(level)s 级（%(name)s）")
            % {"grades": grades, "level": level, "name": name, "branch": _(C2_BRANCHES[branch])},
            **data,
            level=level,
            branch=branch,
            matched=[code for _, code in matches],
        )
        if len({lvl for lvl, _ in matches}) > 1:
            overlap = scale.rule("c2_overlap")
            others = _list([_("%(level)s 级（%(code)s）") % {"level": lvl, "code": code} for lvl, code in matches[1:]])
            trace.step(
                "combine",
                _("该组合同时符合 %(others)s 的条件；%(text)s") % {"others": others, "text": shown(overlap, "text")},
                rule=overlap.code,
            )
            trace.unverified_value(
                _("C.2 条件重叠（%(grades)s）时取较重的 %(level)s 级：%(note)s")
                % {"grades": grades, "level": level, "note": shown(overlap, "note")}
            )
        trace.rule_used(c2)
        return level
    uncovered = scale.rule("c2_uncovered")
    entry = next(
        (
            row
            for row in uncovered.params["table"]
            if (row["adl"], row["mental"], row["perception"], row["social"]) == (adl, mental, perception, social)
        ),
        None,
    )
    if entry is None:  # every uncovered combination is in the table (tested); keep a loud failure
        raise AssertionError(f"mzt039-2013: C.2 uncovered combination without fallback: {data}")
    level = int(entry["level"])
    trace.step(
        "combine",
        _("C.2：%(grades)s，标准文字未覆盖此组合；按本平台决定取 %(level)s 级（%(name)s）：%(text)s")
        % {
            "grades": grades,
            "level": level,
            "name": shown(scale.level(level), "name"),
            "text": shown(uncovered, "text"),
        },
        **data,
        level=level,
        branch=None,
        rule=uncovered.code,
    )
    trace.unverified_value(
        _("C.2 未覆盖的组合（%(grades)s）取 %(level)s 级：%(note)s")
        % {"grades": grades, "level": level, "note": shown(uncovered, "note")}
    )
    return level


def _mzt039_changes(
    trace: _Trace, scale: Scale, answers: Answers, preliminary: int | None, settings: dict[str, bool]
) -> int:
    no_raise, coma, cognitive, risk, cap = (
        scale.rule(code) for code in ("c3_no_raise_at_3", "c3_coma", "c3_cognitive", "c3_risk_events", "cap")
    )
    is_coma = _rule_item_matches(coma, answers)
    if preliminary is not None and preliminary == int(no_raise.params["level"]):
        trace.step(
            "rule",
            _("%(clause)s：初步等级为 %(level)s 级（%(name)s），“%(text)s”")
            % {
                "clause": shown(no_raise, "clause"),
                "level": preliminary,
                "name": shown(scale.level(preliminary), "name"),
                "text": shown(no_raise, "text"),
            },
            rule=no_raise.code,
            applied=True,
            changed=False,
            before=preliminary,
            after=preliminary,
            coma=is_coma,
        )
        trace.rules_applied.append(no_raise.code)
        return preliminary
    if is_coma:
        target = int(coma.params["set_level"])
        before = _("未计算初步等级") if preliminary is None else _("初步等级 %(level)s 级") % {"level": preliminary}
        trace.step(
            "rule",
            _("%(clause)s：%(item)s 意识水平为昏迷，“%(text)s”（%(before)s → %(target)s 级）；不再考虑第1、2条")
            % {
                "clause": shown(coma, "clause"),
                "item": coma.params["item"],
                "text": shown(coma, "text"),
                "before": before,
                "target": target,
            },
            rule=coma.code,
            applied=True,
            changed=preliminary != target,
            before=preliminary,
            after=target,
        )
        trace.rules_applied.append(coma.code)
        trace.rule_used(coma)
        return target
    assert preliminary is not None  # only coma lets items be omitted
    raises = []
    matches = _matching_diagnoses(cognitive, answers.facts["diagnoses"])
    also = cognitive.params["also_item"]
    item_hit = answers.scores.get(also["item"]) == also["score"]
    if matches or item_hit:
        reasons = []
        if matches:
            listed = _list([_("%(code)s（%(name)s）") % {"code": code, "name": name} for code, name in matches])
            reasons.append(_("诊断含 %(listed)s") % {"listed": listed})
        if item_hit:
            reasons.append(
                _("%(item)s 认知功能评为 %(score)s（已确诊为认知障碍）")
                % {"item": also["item"], "score": also["score"]}
            )
            trace.unverified_value(
                _("%(clause)s：%(item)s 评为 %(score)s 视为“有认知障碍”系本平台的读法，待确认")
                % {"clause": shown(cognitive, "clause"), "item": also["item"], "score": also["score"]}
            )
        raises.append(_Raise(cognitive, pgettext("separator between sentences", "；").join(reasons)))
    else:
        trace.step(
            "rule",
            _("%(clause)s：诊断中没有 %(ranges)s 的编码，%(item)s 也未评为 %(score)s，不适用")
            % {
                "clause": shown(cognitive, "clause"),
                "ranges": _ranges_text(cognitive),
                "item": also["item"],
                "score": also["score"],
            },
            rule=cognitive.code,
            applied=False,
        )
    events, threshold = answers.facts["risk_events_30d"], int(risk.params["min_events"])
    if events >= threshold:
        raises.append(
            _Raise(
                risk,
                _("近30天内跌倒、噎食、自杀、走失共 %(events)s 次（%(threshold)s 次及以上）")
                % {"events": events, "threshold": threshold},
            )
        )
    else:
        trace.step(
            "rule",
            _("%(clause)s：近30天内跌倒、噎食、自杀、走失共 %(events)s 次，少于 %(threshold)s 次，不适用")
            % {"clause": shown(risk, "clause"), "events": events, "threshold": threshold},
            rule=risk.code,
            applied=False,
            events=events,
        )
    trace.rules_applied.extend(matched.rule.code for matched in raises)
    stack_setting = next(setting for setting in scale.settings if setting.code == "stack_level_rules")
    return _apply_raises(
        trace,
        preliminary,
        raises,
        stack=settings["stack_level_rules"],
        setting_note=shown(stack_setting, "note"),
        max_level=int(cap.params["max_level"]),
    )


# ---------------------------------------------------------------------------------------------------
# Dispatcher
# ---------------------------------------------------------------------------------------------------

Scorer = Callable[[Scale, Answers, dict[str, bool]], ScaleResult]

SCORERS: Mapping[str, Scorer] = {
    "gbt42195-2022": score_gbt42195,
    "ltc-2021": score_ltc2021,
    "ltc-2021-self": score_ltc2021_self,
    "barthel": score_barthel,
    "selfcare-phs": score_selfcare_phs,
    "mzt039-2013": score_mzt039,
}


def score(
    code: str,
    answers: Mapping[str, object],
    *,
    policy: Mapping[str, object] | None = None,
    settings: Mapping[str, object] | None = None,
) -> ScaleResult:
    """Validate and score one set of answers.

    Raises `UnknownScale` (field `scale`), `InvalidPolicy` (policy override or settings, fields
    `policy.*` / `settings.*`), or `InvalidAnswers` with one FieldError per bad item or fact.
    """
    scale = apply_policy(get_scale(code), policy)
    values = parse_settings(scale, settings)
    parsed = parse_answers(scale, answers)
    return SCORERS[scale.code](scale, parsed, values)
