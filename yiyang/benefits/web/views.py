"""Server-rendered benefits pages: applications (list, new, detail with review and decision),
entitlements (list, detail with instalments). They call the same access functions, selectors and
services as the API; out of reach is a 404, a missing right a 403."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiyang.accounts.access import ScopeKind, has_perm, require_perm, scope_for
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.access import area_filter_id
from yiyang.areas.selectors import streets_in_reach
from yiyang.audit.lists import audit_page_shown
from yiyang.benefits.access import (
    access_application_by_public_id,
    access_attachment_by_public_id,
    access_entitlement_by_public_id,
)
from yiyang.benefits.api.views import attachment_response
from yiyang.benefits.choices import ApplicationStatus, EntitlementStatus, Scheme
from yiyang.benefits.declared import MONTHLY, SUBJECT_KINDS, fact_rows
from yiyang.benefits.models import Application, Entitlement
from yiyang.benefits.payroll_selectors import parameter_shown
from yiyang.benefits.selectors import (
    ApplicationFilters,
    EntitlementFilters,
    application_attachments,
    application_list,
    district_decision_queue,
    entitlement_instalments,
    entitlement_list,
    street_review_queue,
)
from yiyang.benefits.services import (
    APPLICATION,
    ENTITLEMENT,
    ApplicationInput,
    application_decide,
    application_record_view,
    application_street_review,
    application_submit,
    application_withdraw,
    attachment_add,
    attachment_read,
    entitlement_end,
    entitlement_record_view,
    is_licensed_institution,
)
from yiyang.benefits.services.applications import ATTACHMENT_MAX_BYTES, PENDING
from yiyang.benefits.web.forms import ApplicationForm, EndForm, form_field_name
from yiyang.core.errors import FieldError, ValidationFailed
from yiyang.core.web import query_without_page, staff_page
from yiyang.elders.choices import ElderStatus, HouseholdRegistration
from yiyang.elders.selectors import elders_in_reach
from yiyang.organisations.choices import CARE_KINDS
from yiyang.organisations.selectors import organisations_in_reach

PAGE_SIZE = 20
SUBJECT_OPTIONS_MAX = 500
STATUS_CLASSES: dict[str, str] = {
    ApplicationStatus.SUBMITTED: "text-bg-info",
    ApplicationStatus.STREET_APPROVED: "text-bg-primary",
    ApplicationStatus.APPROVED: "text-bg-success",
    ApplicationStatus.REFUSED: "text-bg-danger",
    ApplicationStatus.WITHDRAWN: "text-bg-secondary",
    EntitlementStatus.ACTIVE: "text-bg-success",
    EntitlementStatus.ENDED: "text-bg-secondary",
}
QUEUES = {"street_review": Perm.BENEFITS_REVIEW, "district_decision": Perm.BENEFITS_APPROVE}


def subject_name(row: Application | Entitlement) -> str:
    if row.elder is not None:
        return row.elder.name
    if row.subject_kind == "worker":
        return row.worker_name
    return row.organisation.name if row.organisation is not None else ""


def _rows(request: HttpRequest, rows: list[Any]) -> list[dict[str, Any]]:
    listed = disclosure_for(request.user).listed
    return [
        {
            "row": row,
            "subject": subject_name(row),
            "status_class": STATUS_CLASSES.get(row.status, "text-bg-secondary"),
            "payee_account": listed.bank_account(row.payee_account),
        }
        for row in rows
    ]


def _filter_values(request: HttpRequest) -> dict[str, Any]:
    return {
        "status": request.GET.get("status", "").strip(),
        "scheme": request.GET.get("scheme", "").strip(),
        "street": area_filter_id(request.GET.get("street"), field="street"),
        "search": request.GET.get("search", "").strip()[:100],
    }


# ------------------------------------------------------------------------------------- applications
@staff_page
def application_list_page(request: HttpRequest) -> HttpResponse:
    """Applications in reach with filters and the caller's review queue; payee accounts masked."""
    require_perm(request.user, Perm.BENEFITS_VIEW)
    values = _filter_values(request)
    queue = request.GET.get("queue", "").strip()
    qs = application_list(user=request.user, filters=ApplicationFilters(**values))
    if queue == "street_review":
        qs = qs.filter(pk__in=street_review_queue(user=request.user).values("pk")).order_by("submitted_at", "id")
    elif queue == "district_decision":
        qs = qs.filter(pk__in=district_decision_queue(user=request.user).values("pk")).order_by(
            "street_reviewed_at", "id"
        )
    else:
        queue = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type=APPLICATION, page=page)
    queues = [
        {"value": value, "label": label, "count": counts}
        for value, label, counts in (
            ("street_review", _("待我街道审核"), street_review_queue(user=request.user).count()),
            ("district_decision", _("待我区级审批"), district_decision_queue(user=request.user).count()),
        )
        if has_perm(request.user, QUEUES[value])
    ]
    context = {
        "page_obj": page,
        "rows": _rows(request, list(page.object_list)),
        "filters": {**values, "street": str(values["street"] or "")},
        "queue": queue,
        "queues": queues,
        "statuses": ApplicationStatus.choices,
        "schemes": Scheme.choices,
        "streets": list(streets_in_reach(user=request.user).order_by("code")),
        "can_apply": has_perm(request.user, Perm.BENEFITS_APPLY),
        "query_without_page": query_without_page(request),
    }
    return render(request, "benefits/application_list.html", context)


def _schemes_for(request: HttpRequest) -> list[tuple[str, str]]:
    if scope_for(request.user).kind is ScopeKind.FAMILY:
        return [(Scheme.RESIDENT_CARE.value, str(Scheme.RESIDENT_CARE.label))]
    return [(value, str(label)) for value, label in Scheme.choices]


def _subject_choices(request: HttpRequest, scheme: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Elders and organisations the form offers for `scheme` (those that can qualify, in reach)."""
    elders: list[tuple[str, str]] = []
    organisations: list[tuple[str, str]] = []
    if SUBJECT_KINDS.get(scheme) == "elder":
        on_roll = elders_in_reach(user=request.user).filter(
            status=ElderStatus.ACTIVE, household_registration=HouseholdRegistration.REGISTERED
        )
        elders = [(str(e.public_id), e.name) for e in on_roll.order_by("name", "id")[:SUBJECT_OPTIONS_MAX]]
    else:
        care = organisations_in_reach(user=request.user).filter(kind__in=CARE_KINDS).order_by("name", "id")
        found = list(care[:SUBJECT_OPTIONS_MAX])
        if scheme == Scheme.BED_OPERATION:
            found = [o for o in found if is_licensed_institution(o)]
        organisations = [(str(o.public_id), o.name) for o in found]
    return elders, organisations


def _render_new(
    request: HttpRequest, scheme: str, form: ApplicationForm | None, problems: list[FieldError], status: int = 200
) -> HttpResponse:
    context = {
        "schemes": _schemes_for(request),
        "scheme": scheme,
        "scheme_label": dict(Scheme.choices).get(scheme, ""),
        "monthly": scheme in MONTHLY,
        "form": form,
        "problems": problems,
        "attachment_errors": [p.reason for p in problems if form_field_name(p.field) == "attachments"],
    }
    return render(request, "benefits/application_form.html", context, status=status)


@staff_page
def application_create_page(request: HttpRequest) -> HttpResponse:
    """Choose a scheme, then fill in its form: the subject, the declared facts, the date, the payee
    and attachments. Every problem is shown at its field; nothing is saved until all are right."""
    require_perm(request.user, Perm.BENEFITS_APPLY)
    scheme = (request.POST.get("scheme") if request.method == "POST" else request.GET.get("scheme")) or ""
    if scheme not in dict(_schemes_for(request)):
        return _render_new(request, "", None, [])
    elders, organisations = _subject_choices(request, scheme)
    kind = SUBJECT_KINDS[scheme]

    def make_form(data: Any = None) -> ApplicationForm:
        return ApplicationForm(data, scheme=scheme, subject_kind=kind, elders=elders, organisations=organisations)

    if request.method != "POST":
        return _render_new(request, scheme, make_form(), [])
    form = make_form(request.POST)
    if not form.is_valid():
        return _render_new(request, scheme, form, [], status=400)
    data = form.cleaned_data
    uploads = request.FILES.getlist("attachments")
    try:
        with transaction.atomic():
            application = application_submit(
                actor=request.user,
                data=ApplicationInput(
                    scheme=scheme,
                    elder=data.get("elder") or None,
                    organisation=data.get("organisation") or None,
                    worker_name=data.get("worker_name", ""),
                    worker_national_id=data.get("worker_national_id", ""),
                    facts=form.facts(),
                    requested_from=data["requested_from"],
                    payee_name=data["payee_name"],
                    payee_account=data["payee_account"],
                    payee_bank=data["payee_bank"],
                ),
            )
            for upload in uploads:
                attachment_add(
                    actor=request.user,
                    application=application,
                    name=upload.name or "",
                    content=upload.read(ATTACHMENT_MAX_BYTES + 1),
                )
    except ValidationFailed as exc:
        left = form.add_service_errors(exc.errors)
        return _render_new(request, scheme, form, left, status=400)
    messages.success(request, _("申请已提交，等待街道审核。"))
    return redirect("benefit-application-detail", public_id=application.public_id)


def _history(application: Application) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"at": application.submitted_at, "who": application.applicant, "what": _("提交申请"), "text": ""}
    ]
    if application.street_reviewed_at:
        approved = application.status != ApplicationStatus.REFUSED or application.decided_at is not None
        steps.append(
            {
                "at": application.street_reviewed_at,
                "who": application.street_reviewer,
                "what": _("街道审核通过") if approved else _("街道审核不予通过"),
                "text": application.street_note if approved else application.refusal_reason,
            }
        )
    if application.decided_at:
        approved = application.status == ApplicationStatus.APPROVED
        steps.append(
            {
                "at": application.decided_at,
                "who": application.decided_by,
                "what": _("区级审批通过") if approved else _("区级审批不予通过"),
                "text": "" if approved else application.refusal_reason,
            }
        )
    if application.status == ApplicationStatus.WITHDRAWN:
        steps.append({"at": application.updated_at, "who": application.applicant, "what": _("申请人撤回"), "text": ""})
    return steps


@staff_page
def application_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One application: subject, declared facts, payee, attachments, history, and the actions the
    viewer may take (street review, district decision, withdrawal, a further attachment)."""
    application = access_application_by_public_id(user=request.user, public_id=public_id)
    application_record_view(actor=request.user, application=application)
    user = request.user
    disclosure = disclosure_for(user)
    own = application.applicant_id == user.pk
    status = application.status
    entitlement = Entitlement.objects.filter(application=application).first()
    context = {
        "application": application,
        "subject": subject_name(application),
        "worker_national_id": disclosure.national_id(application.worker_national_id),
        "payee_account": disclosure.bank_account(application.payee_account),
        "status_class": STATUS_CLASSES.get(ApplicationStatus(status), "text-bg-secondary"),
        "fact_rows": fact_rows(application.scheme, application.facts),
        "attachments": list(application_attachments(application=application)),
        "history": _history(application),
        "entitlement": entitlement,
        "can_review": status == ApplicationStatus.SUBMITTED and has_perm(user, Perm.BENEFITS_REVIEW) and not own,
        "can_decide": status == ApplicationStatus.STREET_APPROVED and has_perm(user, Perm.BENEFITS_APPROVE) and not own,
        "can_withdraw": status in PENDING and own and has_perm(user, Perm.BENEFITS_APPLY),
        "can_attach": status in PENDING and has_perm(user, Perm.BENEFITS_APPLY),
    }
    return render(request, "benefits/application_detail.html", context)


def _flash_errors(request: HttpRequest, exc: ValidationFailed) -> None:
    messages.error(request, "；".join(e.reason for e in exc.errors) or exc.message)


@staff_page
@require_POST
def application_review_page(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_REVIEW)
    approve = request.POST.get("decision") == "approve"
    try:
        application_street_review(
            actor=request.user,
            application=application,
            approve=approve,
            note=request.POST.get("note", "")[:1000],
            reason=request.POST.get("reason", "")[:1000],
        )
    except ValidationFailed as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("已审核通过，报区级审批。") if approve else _("已审核，不予通过。"))
    return redirect("benefit-application-detail", public_id=application.public_id)


@staff_page
@require_POST
def application_decide_page(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPROVE)
    approve = request.POST.get("decision") == "approve"
    try:
        application_decide(
            actor=request.user, application=application, approve=approve, reason=request.POST.get("reason", "")[:1000]
        )
    except ValidationFailed as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("已批准，补贴待遇已生效。") if approve else _("已审批，不予通过。"))
    return redirect("benefit-application-detail", public_id=application.public_id)


@staff_page
@require_POST
def application_withdraw_page(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPLY)
    try:
        application_withdraw(actor=request.user, application=application)
    except ValidationFailed as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("benefit-application-detail", public_id=application.public_id)


@staff_page
@require_POST
def attachment_upload_page(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPLY)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed.single("file", _("请选择文件"), "required")
        attachment_add(
            actor=request.user,
            application=application,
            name=upload.name or "",
            content=upload.read(ATTACHMENT_MAX_BYTES + 1),
        )
    except ValidationFailed as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("benefit-application-detail", public_id=application.public_id)


@staff_page
def attachment_download_page(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    application = access_application_by_public_id(user=request.user, public_id=public_id)
    attachment = access_attachment_by_public_id(user=request.user, application=application, public_id=attachment_id)
    return attachment_response(attachment, attachment_read(actor=request.user, attachment=attachment))


# ------------------------------------------------------------------------------------- entitlements
@staff_page
def entitlement_list_page(request: HttpRequest) -> HttpResponse:
    """Entitlements in reach with filters; payee accounts masked."""
    require_perm(request.user, Perm.BENEFITS_VIEW)
    values = _filter_values(request)
    qs = entitlement_list(user=request.user, filters=EntitlementFilters(**values))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type=ENTITLEMENT, page=page)
    context = {
        "page_obj": page,
        "rows": _rows(request, list(page.object_list)),
        "filters": {**values, "street": str(values["street"] or "")},
        "statuses": EntitlementStatus.choices,
        "schemes": Scheme.choices,
        "streets": list(streets_in_reach(user=request.user).order_by("code")),
        "query_without_page": query_without_page(request),
    }
    return render(request, "benefits/entitlement_list.html", context)


@staff_page
def entitlement_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One entitlement: subject, period, payee, approved facts and instalments with how each was
    computed; officers with `benefits.approve` may end it with a reason."""
    entitlement = access_entitlement_by_public_id(user=request.user, public_id=public_id)
    entitlement_record_view(actor=request.user, entitlement=entitlement)
    disclosure = disclosure_for(request.user)
    instalments = list(entitlement_instalments(entitlement=entitlement).select_related("paid_by"))
    context = {
        "entitlement": entitlement,
        "subject": subject_name(entitlement),
        "payee_account": disclosure.bank_account(entitlement.payee_account),
        "status_class": STATUS_CLASSES.get(EntitlementStatus(entitlement.status), "text-bg-secondary"),
        "fact_rows": fact_rows(entitlement.scheme, entitlement.facts),
        "instalments": instalments,
        # Each instalment with the parameter values it used, described in the reader's language.
        "instalment_rows": [
            (i, [parameter_shown(d) for d in (i.explanation or {}).get("parameters", []) if isinstance(d, dict)])
            for i in instalments
        ],
        "can_end": entitlement.status == EntitlementStatus.ACTIVE and has_perm(request.user, Perm.BENEFITS_APPROVE),
        "end_form": EndForm(),
    }
    return render(request, "benefits/entitlement_detail.html", context)


@staff_page
@require_POST
def entitlement_end_page(request: HttpRequest, public_id: str) -> HttpResponse:
    entitlement = access_entitlement_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPROVE)
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            errors = [FieldError(name, str(e[0])) for name, e in form.errors.items()]
            raise ValidationFailed(errors[0].reason, errors=errors)
        entitlement_end(
            actor=request.user,
            entitlement=entitlement,
            reason=form.cleaned_data["reason"],
            ends_on=form.cleaned_data.get("ends_on"),
        )
    except ValidationFailed as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("补贴待遇已终止。"))
    return redirect("benefit-entitlement-detail", public_id=entitlement.public_id)
