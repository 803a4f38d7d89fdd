"""Forms of the benefits pages. They read the input's shape (dates, lengths, a choice among the
subjects offered); the rules (subject in reach, declared facts, payee) are the services'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiyang.benefits.declared import Fact, facts_of
from yiyang.core.forms import InvalidFieldsMarked, must_choose

FACT_PREFIX = "fact_"
# Service error fields → form field names.
FIELD_NAMES = {"file": "attachments"}


def form_field_name(service_field: str) -> str:
    if service_field.startswith("facts."):
        return FACT_PREFIX + service_field.removeprefix("facts.")
    return FIELD_NAMES.get(service_field, service_field)


def _fact_field(fact: Fact) -> forms.Field:
    label = str(fact.label)
    if fact.kind == "int":
        return forms.IntegerField(
            label=label, required=fact.required_when is None, min_value=fact.minimum, max_value=fact.maximum
        )
    if fact.kind == "choice":
        return forms.ChoiceField(label=label, choices=must_choose(fact.choices), required=True)
    if fact.kind == "date":
        return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    return forms.BooleanField(label=label, required=False)


class ApplicationForm(InvalidFieldsMarked, forms.Form):
    """One scheme's application: the subject the scheme asks for, its declared facts, the date from
    which it is claimed and the payee."""

    requested_from = forms.DateField(
        label=_("申请享受起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    payee_name = forms.CharField(label=_("收款人"), max_length=100)
    payee_account = forms.CharField(label=_("收款账号"), max_length=40, help_text=_("8 至 32 位数字"))
    payee_bank = forms.CharField(label=_("开户行"), max_length=100)

    def __init__(
        self,
        *args: Any,
        scheme: str,
        subject_kind: str,
        elders: list[tuple[str, str]],
        organisations: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        subject: dict[str, forms.Field] = {}
        if subject_kind == "elder":
            subject["elder"] = forms.ChoiceField(label=_("老年人"), choices=must_choose(elders))
        else:
            label = _("聘用机构") if subject_kind == "worker" else _("机构")
            subject["organisation"] = forms.ChoiceField(label=label, choices=must_choose(organisations))
        if subject_kind == "worker":
            subject["worker_name"] = forms.CharField(label=_("护理人员姓名"), max_length=100)
            subject["worker_national_id"] = forms.CharField(label=_("护理人员身份证号"), max_length=20)
        facts = {FACT_PREFIX + fact.name: _fact_field(fact) for fact in facts_of(scheme)}
        # Subject first, then the facts, then the date and payee.
        self.fields = {**subject, **facts, **self.fields}
        self.fact_names = list(facts)
        self.subject_names = list(subject)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field, forms.ChoiceField):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def facts(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.fact_names:
            value = self.cleaned_data.get(name)
            if value is None:
                continue
            values[name.removeprefix(FACT_PREFIX)] = value.isoformat() if hasattr(value, "isoformat") else value
        return values

    def add_service_errors(self, errors: list[Any]) -> list[Any]:
        """Put each service error at its field; return those that belong to no field of the form."""
        left = []
        for error in errors:
            name = form_field_name(error.field)
            if name in self.fields:
                self.add_error(name, error.reason)
            else:
                left.append(error)
        return left


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=(("approve", _("通过")), ("refuse", _("不予通过"))))
    note = forms.CharField(required=False, max_length=500)
    reason = forms.CharField(required=False, max_length=500)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("终止原因"), max_length=500)
    ends_on = forms.DateField(
        label=_("终止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
