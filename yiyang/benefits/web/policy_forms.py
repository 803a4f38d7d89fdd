"""Forms of the policy pages: the district file upload and the what-if draft. The services check the
content; their field errors are put back on the form (`add_service_errors`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from yiyang.benefits.policy_selectors import policy_parameter_choices
from yiyang.core.errors import FieldError
from yiyang.core.forms import InvalidFieldsMarked, must_choose


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class _ServiceErrors(InvalidFieldsMarked, forms.Form):
    def add_service_errors(self, errors: list[FieldError]) -> None:
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, error.reason)


class PolicyFileForm(_ServiceErrors):
    file = forms.FileField(
        label=gettext_lazy("区级政策文件（UTF-8 编码的 YAML，不超过 512 KB）"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".yaml,.yml,text/yaml"}),
        error_messages={"required": gettext_lazy("请选择要上传的政策文件")},
    )
    effective_from = forms.DateField(
        label=gettext_lazy("生效日期"),
        widget=date_input(),
        error_messages={"required": gettext_lazy("请填写生效日期")},
    )
    note = forms.CharField(
        label=gettext_lazy("说明（如文件名称及文号）"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class WhatIfForm(_ServiceErrors):
    path = forms.ChoiceField(
        label=gettext_lazy("参数"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": gettext_lazy("请选择一个已有的参数")},
    )
    start = forms.DateField(
        label=gettext_lazy("起始日期"),
        widget=date_input(),
        error_messages={"required": gettext_lazy("请填写起始日期")},
    )
    value = forms.CharField(
        label=gettext_lazy("草拟值"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
        error_messages={"required": gettext_lazy("请填写草拟值")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["path"].choices = must_choose(policy_parameter_choices())  # type: ignore[attr-defined]
