"""Bulk import of applications from Excel: the upload page and the template."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.benefits.services.application_import import application_import, import_template_download
from yiyang.core.errors import ValidationFailed
from yiyang.core.web import staff_page


class ApplicationImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("申请表文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )


@staff_page
def application_import_page(request: HttpRequest) -> HttpResponse:
    """Upload applications in bulk: every row is submitted, or none and every problem is listed."""
    require_perm(request.user, Perm.BENEFITS_APPLY)
    form = ApplicationImportForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = application_import(actor=request.user, file=form.cleaned_data["file"])
        except ValidationFailed as exc:
            problems = [{"row": e.row, "field": e.field, "reason": e.reason} for e in exc.errors]
        else:
            messages.success(
                request,
                _("已提交 %(created)d 份申请（此前已导入 %(already)d 份）。")
                % {"created": result.created, "already": result.already_imported},
            )
            return redirect("benefit-application-list")
    status = 400 if problems or (request.method == "POST" and not form.is_valid()) else 200
    return render(request, "benefits/application_import.html", {"form": form, "problems": problems}, status=status)


@staff_page
def application_import_template(request: HttpRequest) -> FileResponse:
    require_perm(request.user, Perm.BENEFITS_APPLY)
    return import_template_download()
