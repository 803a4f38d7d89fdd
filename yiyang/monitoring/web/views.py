"""Monitoring rules pages: the district's rules side by side with their defaults (and the editor for
district officers), and the elder's monitoring profile section. They call the same access
functions, selectors and services as the API."""

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from yiyang.core.limits import JsonTooDeep, json_too_deep_error, loads_json
from yiyang.core.web import is_partial, staff_page
from yiyang.elders.models import Elder
from yiyang.monitoring.access import (
    access_district_rules_by_public_id,
    access_elder_profile_by_public_id,
    district_rules_changeable_by,
)
from yiyang.monitoring.selectors import (
    district_override,
    district_rule_versions,
    district_rules_table,
    rules_districts_in_reach,
)
from yiyang.monitoring.services import district_rules_set, elder_monitoring_profile_set
from yiyang.monitoring.web.display import display_rows, document_text
from yiyang.monitoring.web.profile import monitoring_profile_context

EDITOR_ROWS = 14


def parse_document(text: str, field: str) -> Any:
    """The editor's JSON text as a document ({} when blank); ValidationFailed naming `field` otherwise."""
    if not text.strip():
        return {}
    try:
        return loads_json(text)  # bounded nesting, never a RecursionError
    except JsonTooDeep as exc:
        raise json_too_deep_error(exc.depth, field) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed.single(
            field,
            _("不是有效的 JSON（第%(line)s行第%(col)s列）：%(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
            "invalid_json",
        ) from exc


@staff_page
def rules_home_page(request: HttpRequest) -> HttpResponse:
    """The account's district rules (straight there when it has one district, a list for a superuser)."""
    require_perm(request.user, Perm.MONITORING_RULES_VIEW)
    districts = list(rules_districts_in_reach(user=request.user))
    if len(districts) == 1:
        return redirect("monitoring-district-rules", public_id=districts[0].public_id)
    if not districts:
        raise NotFound(_("没有可查看的区"))
    return render(request, "monitoring/district_list.html", {"districts": districts})


@staff_page
def district_rules_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every rule with its default, source, basis and verified mark beside the district's override and
    the effective value; the version history; and, for district officers with
    `monitoring.rules.change`, the override editor (JSON, errors shown by path)."""
    perm = Perm.MONITORING_RULES_CHANGE if request.method == "POST" else Perm.MONITORING_RULES_VIEW
    district = access_district_rules_by_public_id(user=request.user, public_id=public_id, perm=perm)
    errors: list[FieldError] = []
    text = note = None
    if request.method == "POST":
        text, note = request.POST.get("document", ""), request.POST.get("note", "")
        try:
            district_rules_set(
                actor=request.user, district=district, document=parse_document(text, "document"), note=note
            )
        except (ValidationFailed, Conflict) as exc:
            errors = exc.errors or [FieldError("document", exc.message)]
        else:
            messages.success(request, _("已保存本区监测规则。"))
            url = reverse("monitoring-district-rules", kwargs={"public_id": district.public_id})
            if is_partial(request):
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    current = district_override(district_id=district.pk)
    table = district_rules_table(district=district)
    context = {
        "district": district,
        "current": current,
        "problem": table.problem,
        "blocks": display_rows(table.blocks),
        "rules": display_rows(table.rules),
        "versions": [
            {"version": v, "text": document_text(v.document)} for v in district_rule_versions(district=district)
        ],
        "can_change": district_rules_changeable_by(user=request.user, district=district),
        "errors": errors,
        "document_text": text if text is not None else document_text(current.document if current else {}),
        "note": note if note is not None else "",
        "editor_rows": EDITOR_ROWS,
    }
    if errors and is_partial(request):
        # HTMX swaps only successful answers: the editor with its errors comes back as a 200 partial.
        response = render(request, "monitoring/includes/rules_editor.html", context)
    else:
        response = render(request, "monitoring/district_rules.html", context, status=400 if errors else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _posted_profile(request: HttpRequest) -> dict[str, Any]:
    return {
        "flags": [flag for flag in request.POST.getlist("flags") if flag],
        "override": request.POST.get("override", ""),
        "conditions": request.POST.get("conditions", ""),
        "medication": request.POST.get("medication", ""),
        "note": request.POST.get("note", ""),
    }


def _profile_response(request: HttpRequest, elder: Elder, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "monitoring/includes/profile_section.html" if is_partial(request) else "monitoring/elder_profile.html"
    context = {"elder": elder, "section": context["monitoring_section"], **context}
    response = render(request, template, context, status=200 if is_partial(request) else status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_page
def elder_profile_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The elder's monitoring profile (the section of the elder page, or a page of its own); POST
    saves flags, override, conditions, medication and note (`monitoring.profile.change`). Reading
    a recorded profile is audited (by `monitoring_profile_context`, as on the elder page)."""
    if request.method != "POST":
        elder = access_elder_profile_by_public_id(user=request.user, public_id=public_id)
        return _profile_response(request, elder, monitoring_profile_context(user=request.user, elder=elder))
    elder = access_elder_profile_by_public_id(
        user=request.user, public_id=public_id, perm=Perm.MONITORING_PROFILE_CHANGE
    )
    posted = _posted_profile(request)
    try:
        elder_monitoring_profile_set(
            actor=request.user,
            elder=elder,
            flags=posted["flags"],
            override=parse_document(posted["override"], "override"),
            conditions=posted["conditions"],
            medication=posted["medication"],
            note=posted["note"],
        )
    except ValidationFailed as exc:
        errors = exc.errors or [FieldError("override", exc.message)]
        context = monitoring_profile_context(user=request.user, elder=elder, errors=errors, posted=posted)
        return _profile_response(request, elder, context, status=400)
    if is_partial(request):
        return _profile_response(request, elder, monitoring_profile_context(user=request.user, elder=elder, saved=True))
    messages.success(request, _("已保存监测设置。"))
    return redirect("elder-detail", public_id=elder.public_id)
