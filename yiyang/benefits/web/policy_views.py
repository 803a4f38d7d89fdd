"""Policy pages: every scheme's parameters with their dated values, marks and sources; the district's
loaded files and the upload form; the template of a district file; the what-if. They call the same
access functions, selectors and services as the API."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from yiyang.accounts.access import ScopeKind, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.benefits.choices import Scheme
from yiyang.benefits.policy_access import (
    access_policy_district_by_public_id,
    access_policy_file_by_public_id,
    policy_changeable_by,
)
from yiyang.benefits.policy_selectors import (
    district_file_template,
    parameter_label,
    policy_files_of,
    policy_sections,
)
from yiyang.benefits.selectors import district_policy
from yiyang.benefits.services.policy_files import MAX_FILE_BYTES, policy_file_load
from yiyang.benefits.services.what_if import HORIZON_MONTHS, what_if_compute
from yiyang.benefits.web.policy_forms import PolicyFileForm, WhatIfForm
from yiyang.core.errors import Conflict, NotFound, ValidationFailed
from yiyang.core.web import query_without_page, staff_page

CHANGES_PER_PAGE = 50


def _district_query(request: HttpRequest, district: Area) -> str:
    """`?district=<id>` when the page was asked for a named district (a superuser's choice), else ""."""
    return "?" + urlencode({"district": str(district.public_id)}) if request.GET.get("district") else ""


def _common(request: HttpRequest, district: Area, tab: str) -> dict[str, Any]:
    districts = []
    if scope_for(request.user).kind is ScopeKind.ALL:
        districts = list(Area.objects.filter(level="district").order_by("code"))
    return {
        "district": district,
        "districts": districts,
        "tab": tab,
        "district_query": _district_query(request, district),
        "can_change": policy_changeable_by(user=request.user, district=district),
        "examples_allowed": bool(getattr(settings, "BENEFITS_ALLOW_EXAMPLE_VALUES", False)),
    }


@staff_page
def policy_page(request: HttpRequest) -> HttpResponse:
    """Every scheme with its parameters for the district in reach: description, value in force today,
    every dated value with its mark (已核实 / 未核实（单一来源）/ 示例值), source and reference."""
    district = access_policy_district_by_public_id(user=request.user, public_id=request.GET.get("district"))
    today = timezone.localdate()
    sections = policy_sections(policy=district_policy(district_id=district.pk), today=today)
    context = {
        **_common(request, district, "parameters"),
        "today": today,
        "sections": sections,
        "example_count": sum(s.example_count for s in sections),
        "file_count": policy_files_of(district=district).count(),
    }
    return render(request, "benefits/policy/parameters.html", context)


@staff_page
def policy_files_page(request: HttpRequest) -> HttpResponse:
    """The district's loaded files, newest first (who, when, effective date, fingerprint, note, the
    parameters each names); for district officers with `benefits.policy`, the upload form (POST)."""
    perm = Perm.BENEFITS_POLICY if request.method == "POST" else Perm.BENEFITS_VIEW
    district = access_policy_district_by_public_id(user=request.user, public_id=request.GET.get("district"), perm=perm)
    form = PolicyFileForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                row = policy_file_load(
                    actor=request.user,
                    district=district,
                    name=upload.name or "",
                    content=upload.read(MAX_FILE_BYTES + 1),
                    effective_from=form.cleaned_data["effective_from"],
                    note=form.cleaned_data["note"],
                )
            except (ValidationFailed, Conflict) as exc:
                form.add_service_errors(exc.errors or [])
                if not exc.errors:
                    form.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _("已载入本区政策文件第 %(version)s 版，%(n)s 个参数自 %(date)s 起生效。")
                    % {"version": row.version, "n": len(row.parameters), "date": row.effective_from.isoformat()},
                )
                return redirect(reverse("benefits-policy-files") + _district_query(request, district))
        status = 400
    files = [
        {"file": f, "paths": [(path, parameter_label(path)) for path in sorted(f.parameters)]}
        for f in policy_files_of(district=district)
    ]
    context = {
        **_common(request, district, "files"),
        "files": files,
        "form": form,
        "schemes": Scheme.choices,
    }
    return render(request, "benefits/policy/files.html", context, status=status)


@staff_page
def policy_file_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """A loaded file as it was uploaded (UTF-8 YAML)."""
    row = access_policy_file_by_public_id(user=request.user, public_id=public_id)
    response = HttpResponse(row.content, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="policy-{row.district.code}-v{row.version}.yaml"'
    return response


@staff_page
def policy_template_download(request: HttpRequest, scheme: str) -> HttpResponse:
    """The district file template of one scheme: the shipped tree of its parameters, values to fill."""
    district = access_policy_district_by_public_id(
        user=request.user, public_id=request.GET.get("district"), perm=Perm.BENEFITS_POLICY
    )
    if scheme not in Scheme.values:
        raise NotFound(_("没有这个补贴项目"))
    text = district_file_template(
        scheme=scheme, policy=district_policy(district_id=district.pk), today=timezone.localdate()
    )
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="policy-template-{scheme}.yaml"'
    return response


@staff_page
def what_if_page(request: HttpRequest) -> HttpResponse:
    """Draft one parameter value (path, start date, value; nothing is saved) and see the cost of the
    two monthly schemes for the next 12 months against the policy in force, and who gains or loses."""
    district = access_policy_district_by_public_id(
        user=request.user, public_id=request.GET.get("district"), perm=Perm.BENEFITS_POLICY
    )
    asked = any(request.GET.get(name) for name in ("path", "start", "value"))
    form = WhatIfForm(request.GET if asked else None)
    result = page_obj = None
    status = 200
    if asked:
        if form.is_valid():
            try:
                result = what_if_compute(
                    actor=request.user,
                    district=district,
                    path=form.cleaned_data["path"],
                    start=form.cleaned_data["start"],
                    value=form.cleaned_data["value"],
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
        if result is None:
            status = 400
        else:
            page_obj = Paginator(result.changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_common(request, district, "what-if"),
        "form": form,
        "result": result,
        "page_obj": page_obj,
        "query_without_page": query_without_page(request),
        "horizon": HORIZON_MONTHS,
        "draft_label": parameter_label(result.path) if result else "",
    }
    return render(request, "benefits/policy/what_if.html", context, status=status)
