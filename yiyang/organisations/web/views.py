"""Server-rendered pages for organisations, beds and occupancy. They call the same access
functions, selectors and services as the API; a missing or out-of-reach record is a 404 and a
missing permission a 403."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiyang.accounts.access import has_perm, missing_perm_message, require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.access import area_filter_id
from yiyang.areas.selectors import streets_in_reach
from yiyang.audit.lists import audit_page_shown, audit_record_shown, audit_rows_shown
from yiyang.core.errors import ErrorCollector, FieldError, NotFound, ValidationFailed
from yiyang.core.excel import workbook_response
from yiyang.core.web import is_partial, query_without_page, staff_page
from yiyang.organisations.access import (
    access_admission_by_public_id,
    access_bed_by_public_id,
    access_organisation_by_public_id,
)
from yiyang.organisations.choices import BED_KINDS, BedState, DischargeReason, OrganisationKind
from yiyang.organisations.models import Admission, Organisation
from yiyang.organisations.selectors import (
    BedFilters,
    OrganisationFilters,
    ResidentFilters,
    admittable_beds,
    bed_buildings,
    bed_list,
    occupancy_by_area,
    occupancy_by_organisation,
    occupancy_summary,
    organisation_list,
    residents_of,
)
from yiyang.organisations.services import (
    SETTABLE_BED_STATES,
    OrganisationInput,
    admission_admit,
    admission_discharge,
    bed_create,
    bed_set_state,
    organisation_create,
    organisation_export,
    organisation_refs_resolve,
    organisation_update,
)
from yiyang.organisations.web.forms import AdmitForm, BedForm, BedStateForm, DischargeForm, OrganisationForm

PAGE_SIZE = 20
BED_STATE_CLASSES = {
    BedState.FREE: "bg-success",
    BedState.RESERVED: "bg-warning text-dark",
    BedState.OCCUPIED: "bg-danger",
    BedState.UNAVAILABLE: "bg-secondary",
}


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def parse_filters(request: HttpRequest) -> OrganisationFilters:
    """Filters from the query string; an unknown kind is ignored, while a street or community outside
    the reach (or unknown) answers 404 from the selector, as in the API and the export."""
    kind = request.GET.get("kind", "")
    return OrganisationFilters(
        kind=kind if kind in OrganisationKind.values else "",
        street=area_filter_id(request.GET.get("street"), field="street"),
        community=area_filter_id(request.GET.get("community"), field="community"),
        q=request.GET.get("q", "").strip(),
    )


@staff_page
def organisation_list_page(request: HttpRequest) -> HttpResponse:
    """Organisations in reach with licence and filing numbers, the 医养结合 flag and bed counts;
    accounts with `organisations.view` only."""
    require_perm(request.user, Perm.ORGS_VIEW)
    filters = parse_filters(request)
    page = Paginator(organisation_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type="organisation", page=page)
    context = {
        "page_obj": page,
        "filters": filters,
        "kinds": OrganisationKind.choices,
        "streets": streets_in_reach(user=request.user),
        "query_without_page": query_without_page(request),
    }
    partial = is_partial(request)
    template = "organisations/includes/organisation_table.html" if partial else "organisations/organisation_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _resolve_area(values: dict[str, Any], errors: ErrorCollector) -> None:
    """Replace the posted area id in `values` by its row (None when none was chosen); an id that
    names no street or community is an error on `area`, and its key is dropped."""
    if "area" not in values:
        return
    posted = values.pop("area")
    if not posted:
        values["area"] = None
        return
    area = organisation_refs_resolve({"area": _uuid_or_none(posted)}, errors=errors)["area"]
    if area is not None:
        values["area"] = area


def _organisation_form(request: HttpRequest, form: OrganisationForm, organisation: Organisation | None) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "organisations/organisation_form.html", {"form": form, "organisation": organisation}, status=status
    )


@staff_page
def organisation_create_page(request: HttpRequest) -> HttpResponse:
    """Register an organisation; each problem the service finds is shown next to its input."""
    if not has_perm(request.user, Perm.ORGS_CHANGE):
        raise PermissionDenied(missing_perm_message(Perm.ORGS_CHANGE))
    form = OrganisationForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound:
        errors = ErrorCollector(form.problems())
        values = form.values()
        _resolve_area(values, errors)
        values.setdefault("area", None)
        try:
            organisation = organisation_create(actor=request.user, data=OrganisationInput(**values), pre_errors=errors)
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已登记机构“%(name)s”。") % {"name": organisation.name})
            return redirect("organisation-detail", public_id=organisation.public_id)
    return _organisation_form(request, form, None)


@staff_page
def organisation_edit_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Change an organisation; only the fields that changed are sent to the service."""
    organisation = access_organisation_by_public_id(user=request.user, public_id=public_id, perm=Perm.ORGS_CHANGE)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        initial=OrganisationForm.initial_of(organisation),
        user=request.user,
        organisation=organisation,
    )
    if form.is_bound:
        errors = ErrorCollector(form.problems())
        values = form.values()
        changes = {name: values[name] for name in form.changed_data if name in values}
        _resolve_area(changes, errors)

        try:
            organisation_update(actor=request.user, organisation=organisation, changes=changes, pre_errors=errors)
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
            organisation.refresh_from_db()
        else:
            messages.success(request, _("已保存。") if changes else _("没有修改。"))
            return redirect("organisation-detail", public_id=organisation.public_id)
    return _organisation_form(request, form, organisation)


@staff_page
def organisation_export_download(request: HttpRequest) -> FileResponse:
    """The filtered list as .xlsx; needs the list-export permission; audited."""
    export = organisation_export(actor=request.user, filters=parse_filters(request))
    return workbook_response(
        filename=f"机构列表-{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title=_("机构列表"),
        headers=export.headers,
        rows=export.rows,
    )


@dataclass
class FormErrors:
    """Errors of one posted form, to show next to its inputs: `form` names the form, `target` the
    bed or stay it was about, `by_field` the reasons per field."""

    form: str
    target: str = ""
    by_field: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, form: str, errors: list[FieldError], target: str = "") -> "FormErrors":
        by_field: dict[str, list[str]] = {}
        for error in errors:
            by_field.setdefault(error.field, []).append(error.reason)
        return cls(form=form, target=target, by_field=by_field)

    @property
    def reasons(self) -> list[str]:
        return [reason for reasons in self.by_field.values() for reason in reasons]


def _form_field_errors(form: forms.Form) -> list[FieldError]:
    return [FieldError(name, str(reason)) for name, reasons in form.errors.items() for reason in reasons]


BED_PAGE_SIZE = 30
RESIDENT_PAGE_SIZE = 20
# The two lists of the institution page page and filter independently; their query parameters are
# prefixed (b…, r…) so that one list's paging keeps the other's place.


def _bed_section(
    request: HttpRequest, organisation: Organisation, errors_about: Any, buildings: list[str]
) -> dict[str, Any]:
    state = request.GET.get("bstate", "")
    building = request.GET.get("bbuilding", "")
    filters = BedFilters(
        q=request.GET.get("bq", "").strip(),
        state=state if state in BedState.values else "",
        building=building if building in buildings else "",
    )
    page = Paginator(bed_list(organisation=organisation, filters=filters), BED_PAGE_SIZE).get_page(
        request.GET.get("bpage")
    )
    beds = list(page.object_list)
    occupant = {
        admission.bed_id: admission
        for admission in residents_of(user=request.user, organisation=organisation).filter(bed__in=beds)
    }
    return {
        "bed_occupants": list(occupant.values()),
        "bed_page": page,
        "bed_filters": filters,
        "bed_buildings": buildings,
        "bed_query": query_without_page(request, "bpage"),
        "beds": [
            {
                "bed": bed,
                "css": BED_STATE_CLASSES[BedState(bed.state)],
                "resident": occupant.get(bed.pk),
                "errors": errors_about("state", bed.public_id),
            }
            for bed in beds
        ],
    }


def _resident_section(request: HttpRequest, organisation: Organisation, buildings: list[str]) -> dict[str, Any]:
    building = request.GET.get("rbuilding", "")
    filters = ResidentFilters(q=request.GET.get("rq", "").strip(), building=building if building in buildings else "")
    page = Paginator(
        residents_of(user=request.user, organisation=organisation, filters=filters), RESIDENT_PAGE_SIZE
    ).get_page(request.GET.get("rpage"))
    page.object_list = list(page.object_list)
    listed = disclosure_for(request.user).listed
    return {
        "resident_page": page,
        "resident_filters": filters,
        "resident_buildings": buildings,
        "resident_query": query_without_page(request, "rpage"),
        "residents": [
            {
                "admission": admission,
                "name": listed.name(admission.elder.name),
                "national_id_masked": listed.national_id(admission.elder.national_id),
            }
            for admission in page.object_list
        ],
    }


def _detail(
    request: HttpRequest,
    organisation: Organisation,
    *,
    form_errors: FormErrors | None = None,
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The institution page: details, bed counts, and the paged bed and resident lists. An HTMX
    request aimed at one list (`HX-Target`) gets that list only."""

    def errors_about(form: str, target: Any) -> list[str]:
        if form_errors is None or form_errors.form != form or form_errors.target != str(target):
            return []
        return form_errors.reasons

    keeps_beds = organisation.kind in BED_KINDS
    can_manage = has_perm(request.user, Perm.BEDS_MANAGE) and keeps_beds
    context: dict[str, Any] = {
        "organisation": organisation,
        "keeps_beds": keeps_beds,
        "can_manage": can_manage,
        "can_see_residents": has_perm(request.user, Perm.ELDERS_VIEW),
        "settable_states": [(s.value, s.label) for s in SETTABLE_BED_STATES],
        "bed_states": BedState.choices,
        "today": timezone.localdate(),
        "form_errors": form_errors,
        "posted": posted or {},
    }
    target = request.headers.get("HX-Target", "") if is_partial(request) else ""
    buildings = bed_buildings(organisation=organisation) if keeps_beds else []
    if keeps_beds and target != "resident-list":
        context.update(_bed_section(request, organisation, errors_about, buildings))
    if keeps_beds and target != "bed-list":
        context.update(_resident_section(request, organisation, buildings))
    if keeps_beds:
        # Every rendering names residents (also after a refused form, and in either list alone): one
        # event names the stays shown, the resident list's first, then those only named at a bed.
        shown = list(context["resident_page"].object_list) if "resident_page" in context else []
        seen = {admission.pk for admission in shown}
        shown += [admission for admission in context.get("bed_occupants", []) if admission.pk not in seen]
        audit_rows_shown(actor=request.user, entity_type="admission", rows=shown)
    if can_manage and not target:
        context["admittable_beds"] = list(admittable_beds(organisation=organisation))
        if form_errors is not None and form_errors.form == "state":
            context["state_error_bed"] = (
                bed_list(organisation=organisation).filter(public_id=form_errors.target).first()
            )
    template = {
        "bed-list": "organisations/includes/bed_list.html",
        "resident-list": "organisations/includes/resident_list.html",
    }.get(target, "organisations/organisation_detail.html")
    if not keeps_beds:
        template = "organisations/organisation_detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@staff_page
def organisation_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Contact details, the bed grid coloured by state and the current residents (IDs masked)."""
    organisation = access_organisation_by_public_id(user=request.user, public_id=public_id)
    audit_record_shown(actor=request.user, entity_type="organisation", record=organisation)
    return _detail(request, organisation)


@staff_page
@require_POST
def bed_create_page(request: HttpRequest, public_id: str) -> HttpResponse:
    organisation = access_organisation_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
    form = BedForm(request.POST)
    if not form.is_valid():
        return _detail(request, organisation, form_errors=FormErrors.of("bed", _form_field_errors(form)), status=400)
    try:
        bed = bed_create(actor=request.user, organisation=organisation, **form.cleaned_data)
    except ValidationFailed as exc:
        errors = FormErrors.of("bed", exc.errors)
        return _detail(request, organisation, form_errors=errors, posted=request.POST.dict(), status=400)
    messages.success(request, _("已新增床位 %(label)s") % {"label": bed.label})
    return redirect("organisation-detail", public_id=organisation.public_id)


@staff_page
@require_POST
def bed_state_page(request: HttpRequest, public_id: str) -> HttpResponse:
    bed = access_bed_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
    organisation = access_organisation_by_public_id(user=request.user, public_id=bed.organisation.public_id)
    form = BedStateForm(request.POST)
    form.is_valid()  # text fields only: always valid
    note = form.cleaned_data["note"] if "note" in request.POST else None
    try:
        bed = bed_set_state(actor=request.user, bed=bed, state=form.cleaned_data["state"], note=note)
    except ValidationFailed as exc:
        errors = FormErrors.of("state", exc.errors, target=str(bed.public_id))
        return _detail(request, organisation, form_errors=errors, status=400)
    messages.success(
        request, _("床位 %(label)s 已设为%(state)s") % {"label": bed.label, "state": BedState(bed.state).label}
    )
    return redirect("organisation-detail", public_id=organisation.public_id)


@staff_page
@require_POST
def admit_page(request: HttpRequest, public_id: str) -> HttpResponse:
    organisation = access_organisation_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
    form = AdmitForm(request.POST)
    posted = request.POST.dict()
    if not form.is_valid():
        errors = FormErrors.of("admit", _form_field_errors(form))
        return _detail(request, organisation, form_errors=errors, posted=posted, status=400)
    data = form.cleaned_data
    bed = None
    if data["bed"] is not None:
        try:
            bed = access_bed_by_public_id(user=request.user, public_id=data["bed"], perm=Perm.BEDS_MANAGE)
        except NotFound:
            bed = None
    if bed is None or bed.organisation_id != organisation.pk:
        errors = FormErrors.of("admit", [FieldError("bed", _("请选择本机构的空闲或预留床位"), "required")])
        return _detail(request, organisation, form_errors=errors, posted=posted, status=400)
    try:
        admission = admission_admit(
            actor=request.user,
            bed=bed,
            elder_national_id=data["elder_national_id"],
            admitted_on=data["admitted_on"],
            note=data["note"],
        )
    except ValidationFailed as exc:
        return _detail(request, organisation, form_errors=FormErrors.of("admit", exc.errors), posted=posted, status=400)
    messages.success(request, _("%(name)s 已入住床位 %(label)s") % {"name": admission.elder.name, "label": bed.label})
    return redirect("organisation-detail", public_id=organisation.public_id)


def _discharge_form(
    request: HttpRequest, admission: Admission, *, errors: FormErrors | None = None, status: int = 200
) -> HttpResponse:
    audit_record_shown(actor=request.user, entity_type="admission", record=admission)
    posted = request.POST.dict() if request.method == "POST" else {}
    return render(
        request,
        "organisations/discharge_form.html",
        {
            "admission": admission,
            "organisation": admission.organisation,
            # The form only needs to tell which resident leaves: the list-row identifier will do.
            "national_id_masked": disclosure_for(request.user).listed.national_id(admission.elder.national_id),
            "discharge_reasons": DischargeReason.choices,
            "today": timezone.localdate(),
            "errors": errors.by_field if errors else {},
            # Problems not about an input of this form (the stay already closed, say) go above it.
            "other_errors": [
                reason
                for name, reasons in (errors.by_field.items() if errors else [])
                if name not in ("reason", "discharged_on")
                for reason in reasons
            ],
            "posted": posted,
        },
        status=status,
    )


@staff_page
@require_http_methods(["GET", "POST"])
def discharge_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One resident's discharge: GET asks for the reason and date, POST discharges through the
    service; each problem is shown next to its input on this form."""
    admission = access_admission_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
    organisation = access_organisation_by_public_id(user=request.user, public_id=admission.organisation.public_id)
    if admission.discharged_on is not None and request.method == "GET":
        messages.info(request, _("%(name)s 已办理离院") % {"name": admission.elder.name})
        return redirect("organisation-detail", public_id=organisation.public_id)
    if request.method == "GET":
        return _discharge_form(request, admission)
    form = DischargeForm(request.POST)
    target = str(admission.public_id)
    if not form.is_valid():
        errors = FormErrors.of("discharge", _form_field_errors(form), target=target)
        return _discharge_form(request, admission, errors=errors, status=400)
    try:
        admission_discharge(
            actor=request.user,
            admission=admission,
            reason=form.cleaned_data["reason"],
            discharged_on=form.cleaned_data["discharged_on"],
        )
    except ValidationFailed as exc:
        errors = FormErrors.of("discharge", exc.errors, target=target)
        return _discharge_form(request, admission, errors=errors, status=400)
    messages.success(request, _("%(name)s 已办理离院") % {"name": admission.elder.name})
    return redirect("organisation-detail", public_id=organisation.public_id)


@staff_page
def occupancy_page(request: HttpRequest) -> HttpResponse:
    """Occupancy in reach by institution and by street and community, with a bar chart; accounts with
    `organisations.view` only."""
    require_perm(request.user, Perm.ORGS_VIEW)
    by_organisation = occupancy_by_organisation(user=request.user)
    by_area = occupancy_by_area(user=request.user)
    chart = [
        {"name": row.name, "occupied": row.occupied, "reserved": row.reserved, "free": row.free}
        for row in by_organisation
    ]
    return render(
        request,
        "organisations/occupancy.html",
        {
            "summary": occupancy_summary(user=request.user),
            "by_organisation": by_organisation,
            "by_street": by_area.streets,
            "by_community": by_area.communities,
            "chart": chart,
            "chart_labels": {"occupied": _("占用"), "reserved": _("预留"), "free": _("空闲")},
        },
    )
