"""Forms of the assessment pages. The items of a scale are not a Django form: they are read from
the POST by `answers_from_post`, one radio group per item, and checked by the services."""

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.assessments.choices import AssessmentReason, AssessmentStatus
from yiyang.assessments.presentation import annex_a_diagnoses
from yiyang.assessments.scoring import Scale
from yiyang.core.errors import FieldError
from yiyang.core.forms import InvalidFieldsMarked, must_choose

ITEM_PREFIX = "item_"
OTHER_DIAGNOSES = "diagnoses_other"
_SPLIT = re.compile(r"[\s,，、;；]+")


class AssessmentMetaForm(InvalidFieldsMarked, forms.Form):
    # No reason preselected: why this assessment is made must be said (first, regular, changed...).
    reason = forms.ChoiceField(
        label=gettext_lazy("评估原因"),
        choices=must_choose(AssessmentReason.choices),
        error_messages={"required": gettext_lazy("请选择评估原因")},
    )
    assessed_on = forms.DateField(
        label=gettext_lazy("评估日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            css = "form-select form-select-lg" if name == "reason" else "form-control form-control-lg"
            bound.widget.attrs.setdefault("class", css)

    def add_service_errors(self, errors: list[FieldError]) -> None:
        for error in errors:
            if error.field in self.fields:
                self.add_error(error.field, error.reason)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("退回原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("更正原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PolicyUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("政策数据文件（JSON 或 YAML）"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".json,.yaml,.yml"}),
    )


class AssessmentFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", gettext_lazy("全部")), *AssessmentStatus.choices])
    scale = forms.CharField(required=False)


@dataclass
class ParsedAnswers:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)


def _item_value(raw: str, option_codes: tuple[str, ...]) -> Any:
    if raw in option_codes:
        return raw
    try:
        return int(raw)
    except ValueError:
        return raw  # the service names it as a score not allowed


def answers_from_post(scale: Scale, post: QueryDict) -> ParsedAnswers:
    """The answers as the scale layer takes them: each answered item (a score, or an option code
    where options share a score) and the scale's facts (diagnoses as ICD-10 codes from the Annex A
    boxes plus any typed codes, risk events as a count). Unanswered items are left out."""
    parsed = ParsedAnswers()
    for item in scale.items:
        raw = post.get(f"{ITEM_PREFIX}{item.code}", "").strip()
        if raw:
            parsed.answers[item.code] = _item_value(raw, item.option_codes)
    resolved_facts = {item.resolve_by_fact.fact for item in scale.items if item.resolve_by_fact}
    for fact in scale.facts:
        if fact.code in resolved_facts:
            continue  # answered through the item's own option codes (B.3.9 昏迷 / 昏睡)
        if fact.type == "icd10_list":
            chosen = [code for code in post.getlist(fact.code) if code]
            typed = [code for code in _SPLIT.split(post.get(OTHER_DIAGNOSES, "")) if code]
            parsed.answers[fact.code] = list(dict.fromkeys([*chosen, *(c.upper() for c in typed)]))
        elif fact.type == "nonneg_int":
            raw = post.get(fact.code, "").strip()
            if raw == "":
                parsed.answers[fact.code] = 0
            else:
                try:
                    parsed.answers[fact.code] = int(raw)
                except ValueError:
                    parsed.errors.append(FieldError(f"answers.{fact.code}", _("应填写整数（次数）"), "invalid_fact"))
        elif fact.type == "bool":
            parsed.answers[fact.code] = post.get(fact.code) == "on"
    return parsed


def option_value(option: Any) -> str:
    """What a radio button of this option posts: its code where it has one, else its score."""
    return str(option.code) if option.code else str(option.score)


def selected_value(item: Any, answers: dict[str, Any]) -> str | None:
    """The radio value matching the stored answer (a shared score resolved by its fact)."""
    if item.code not in answers:
        return None
    answer = answers[item.code]
    if isinstance(answer, str):
        return answer
    candidates = [o for o in item.options if o.score == answer]
    if len(candidates) > 1 and item.resolve_by_fact is not None:
        fact = answers.get(item.resolve_by_fact.fact)
        return item.resolve_by_fact.when_true if fact is True else item.resolve_by_fact.when_false
    return option_value(candidates[0]) if candidates else None


def diagnosis_choices(chosen: list[str]) -> tuple[list[dict[str, Any]], str]:
    """The Annex A boxes (ticked where chosen) and the chosen codes that are not among them."""
    annex = annex_a_diagnoses()
    offered = {d.code for d in annex.entries}
    boxes = [{"entry": d, "checked": d.code in chosen} for d in annex.entries]
    return boxes, "、".join(code for code in chosen if code not in offered)
