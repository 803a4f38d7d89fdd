"""Server-rendered elder pages: list (HTMX-filtered), 360° profile, register and edit forms, roster
import and export. They call the same selectors and services as the API."""

from typing import Any

from django.apps import apps as django_apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from yiyang.accounts.access import require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_page_shown, audit_rows_shown
from yiyang.core.errors import ValidationFailed
from yiyang.core.excel import workbook_response
from yiyang.core.web import is_partial, query_without_page, staff_page
from yiyang.core.workspace import ProfileSection, TimelineEntry, profile_sections_for, timeline_for
from yiyang.elders.access import access_elder_by_public_id
from yiyang.elders.roster import HEADER_OF_FIELD, roster_export_filename, roster_template_download
from yiyang.elders.selectors import age_on, elder_list
from yiyang.elders.services import (
    ContactInput,
    ElderInput,
    elder_export,
    elder_fact_change,
    elder_record_view,
    elder_register,
    elder_roster_import,
    elder_update,
)
from yiyang.elders.web.forms import ElderFilterForm, ElderForm, FactChangeForm, RosterUploadForm

PAGE_SIZE = 20
# The audit summary of what an elder's profile showed (yiyang.audit.summaries lists it for other languages).
PROFILE_SHOWN = "老年人档案中显示的记录"


@staff_page
def elder_list_page(request: HttpRequest) -> HttpResponse:
    """Elders in reach with search and filters; national ID and phone masked. Returns only the table
    for HTMX requests. A filter value that is not acceptable is ignored with a note."""
    require_perm(request.user, Perm.ELDERS_VIEW)
    form = ElderFilterForm(request.GET or None, user=request.user)
    page = Paginator(elder_list(user=request.user, filters=form.to_filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_page_shown(actor=request.user, entity_type="elder", page=page)
    today = timezone.localdate()
    listed = disclosure_for(request.user).listed
    rows = [
        {
            "elder": elder,
            "name": listed.name(elder.name),
            "age": age_on(elder.birth_date, today),
            "national_id_masked": listed.national_id(elder.national_id),
            "phone_masked": listed.phone(elder.phone),
        }
        for elder in page.object_list
    ]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "problems": form.problems(),
        "query_without_page": query_without_page(request),
    }
    template = "elders/includes/elder_table.html" if is_partial(request) else "elders/elder_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_page
def elder_export_download(request: HttpRequest) -> FileResponse:
    """The list with the page's filters as .xlsx (national ID and phone masked); audited."""
    require_perm(request.user, Perm.ELDERS_EXPORT)
    form = ElderFilterForm(request.GET or None, user=request.user)
    export = elder_export(actor=request.user, filters=form.to_filters())
    return workbook_response(
        filename=roster_export_filename(timezone.localdate()),
        sheet_title=_("老年人名单"),
        headers=export.headers,
        rows=export.rows,
    )


@staff_page
def elder_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The elder's whole picture: every registered profile section the viewer may see (each in the
    shared frame, an empty one saying what to do) and the timeline. Opening it is audited as the
    record view (`elder_record_view`, full identifiers as `accounts.disclosure` shows them) and as
    the records the sections and the timeline showed: one event per entity type, none for a type
    nothing was shown of."""
    elder = access_elder_by_public_id(user=request.user, public_id=public_id)
    disclosure = disclosure_for(request.user)
    elder_record_view(actor=request.user, elder=elder, full_identifiers=disclosure.full_identifiers)
    sections = profile_sections_for(request.user, elder)
    timeline = timeline_for(request.user, elder)
    _audit_profile_shown(request.user, sections, timeline)
    return render(
        request,
        "elders/elder_detail.html",
        {
            "elder": elder,
            "name": disclosure.name(elder.name),
            "age": age_on(elder.birth_date, timezone.localdate()),
            "sections": [{"section": s, "testid": "section-" + s.key.replace(".", "-")} for s in sections],
            "timeline": [{"entry": entry, "source": _source_label(entry.source)} for entry in timeline],
        },
    )


def _audit_profile_shown(user: Any, sections: list[ProfileSection], timeline: list[TimelineEntry]) -> None:
    shown: dict[str, dict[Any, Any]] = {}
    for section in sections:
        for rows in section.shown:
            for row in rows.rows:
                shown.setdefault(rows.entity_type, {})[row.public_id] = row
    for entry in timeline:
        if entry.record is not None:
            shown.setdefault(entry.entity_type, {})[entry.record.public_id] = entry.record
    for entity_type, records in shown.items():
        if records:
            audit_rows_shown(actor=user, entity_type=entity_type, rows=list(records.values()), summary=PROFILE_SHOWN)


def _source_label(source: str) -> str:
    # A timeline source is named by its app label; the app's verbose name is the readable word.
    try:
        return str(django_apps.get_app_config(source).verbose_name)
    except LookupError:
        return source


@staff_page
def elder_create_page(request: HttpRequest) -> HttpResponse:
    """Register an elder with one emergency contact; each error is shown next to its input."""
    require_perm(request.user, Perm.ELDERS_CREATE)
    form = ElderForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        # An invalid form still goes to the service, with the form's errors as `pre_errors` (so it
        # saves nothing): every problem shows in one round, not the selects first and the rest after.
        form_errors = form.form_errors() if not form.is_valid() else None
        known = len(form_errors.errors) if form_errors else 0  # the service appends to the collector
        contact_name, relation, phone = form.contact_values()
        contact = ContactInput(name=contact_name, relation=relation, phone=phone)
        has_contact = any((contact.name, contact.relation, contact.phone))
        try:
            elder = elder_register(
                actor=request.user,
                data=ElderInput(**form.elder_values(), emergency_contacts=[contact] if has_contact else []),
                pre_errors=form_errors,
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors[known:])
        else:
            messages.success(request, _("已登记老年人“%(name)s”。") % {"name": elder.name})
            return redirect("elder-detail", public_id=elder.public_id)
    return render(request, "elders/elder_form.html", {"form": form, "elder": None})


@staff_page
def elder_edit_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Change an elder's record; only the fields that changed are sent to the service."""
    elder = access_elder_by_public_id(user=request.user, public_id=public_id, perm=Perm.ELDERS_CHANGE)
    if request.method != "POST":
        elder_record_view(actor=request.user, elder=elder, full_identifiers=True)  # the form shows them in full
    initial = {
        "name": elder.name,
        "national_id": elder.national_id,
        "phone": elder.phone,
        "community": elder.community,
        "household_registration": elder.household_registration,
        "economic_status": elder.economic_status,
        "living_arrangement": elder.living_arrangement,
        "special_statuses": list(elder.special_statuses),
        "service_station": elder.service_station,
        "medical_institution": elder.medical_institution,
        "monitoring_consent": elder.monitoring_consent,
        "notes": elder.notes,
    }
    form = ElderForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user, elder=elder
    )
    if request.method == "POST":
        form_errors = form.form_errors() if not form.is_valid() else None  # as on the create page
        known = len(form_errors.errors) if form_errors else 0
        values = form.elder_values()
        changes = {name: values[name] for name in form.changed_data if name in values}
        try:
            elder_update(actor=request.user, elder=elder, changes=changes, pre_errors=form_errors)
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors[known:])
        else:
            messages.success(request, _("已保存。") if changes else _("没有修改。"))
            return redirect("elder-detail", public_id=elder.public_id)
    return render(request, "elders/elder_form.html", {"form": form, "elder": elder})


@staff_page
def elder_fact_change_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a dated change of economic status, household registration or roll status (去世, 迁出,
    恢复在册), effective today or up to about three years back; each error is shown next to its input."""
    elder = access_elder_by_public_id(user=request.user, public_id=public_id, perm=Perm.ELDERS_CHANGE)
    form = FactChangeForm(request.POST if request.method == "POST" else None, elder=elder)
    if request.method == "POST":
        form_errors = form.form_errors() if not form.is_valid() else None
        effective_on = form.cleaned_data.get("effective_on")
        if effective_on is not None:
            # As on the edit page: the form's errors go to the service (which then writes nothing) so
            # that every problem shows in one round.
            known = len(form_errors.errors) if form_errors else 0
            field, value = form.fact()
            try:
                elder_fact_change(
                    actor=request.user,
                    elder=elder,
                    field=field,
                    new_value=value,
                    effective_on=effective_on,
                    basis=form.cleaned_data.get("basis") or "",
                    pre_errors=form_errors,
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors[known:])
            else:
                messages.success(request, _("已登记状况变更。"))
                return redirect("elder-detail", public_id=elder.public_id)
    return render(
        request,
        "elders/elder_fact_change.html",
        {"form": form, "elder": elder, "name": disclosure_for(request.user).name(elder.name)},
    )


def _column_of(field_name: str) -> str:
    """The column header an import error belongs to, as the user sees it in the file."""
    if field_name == "header":
        return _("表头")
    if field_name == "file":
        return _("文件")
    return HEADER_OF_FIELD.get(field_name, field_name)


@staff_page
def elder_import_page(request: HttpRequest) -> HttpResponse:
    """Upload an Excel roster: all rows are imported, or none and every problem is listed by row."""
    require_perm(request.user, Perm.ELDERS_IMPORT)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = elder_roster_import(actor=request.user, file=form.cleaned_data["file"])
        except ValidationFailed as exc:
            problems = [{"row": e.row, "column": _column_of(e.field), "reason": e.reason} for e in exc.errors]
        else:
            messages.success(request, _("已导入 %(n)d 名老年人。") % {"n": result.created})
            return redirect("elder-list")
    return render(request, "elders/elder_import.html", {"form": form, "problems": problems})


@staff_page
def elder_import_template_download(request: HttpRequest) -> FileResponse:
    require_perm(request.user, Perm.ELDERS_IMPORT)
    return roster_template_download()
