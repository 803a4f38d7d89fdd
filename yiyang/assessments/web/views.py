"""Server-rendered assessment pages: the tablet form, the result page with its explanation, the
review actions, the PDF report, the list, the due list and policy loading. They call the same access
functions, selectors and services as the API; out of reach is a 404, a missing right a 403."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from yiyang.accounts.access import has_perm, missing_perm_message, require_perm, require_staff_perm, scope_for
from yiyang.accounts.disclosure import Value, disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.assessments import scoring
from yiyang.assessments.access import access_assessment_by_public_id
from yiyang.assessments.choices import EDITABLE_STATUSES, AssessmentStatus, DueReason
from yiyang.assessments.models import Assessment
from yiyang.assessments.presentation import (
    annex_a_diagnoses,
    explanation_shown,
    result_groups,
    scale_short,
    scale_title,
    unverified_parts,
)
from yiyang.assessments.record_settings import record_settings
from yiyang.assessments.selectors import (
    AssessmentFilters,
    assessment_list,
    assessments_due,
    policy_versions_current_ids,
    policy_versions_in_reach,
)
from yiyang.assessments.services import (
    assessment_confirm,
    assessment_correct,
    assessment_draft_create,
    assessment_draft_update,
    assessment_record_view,
    assessment_report_export,
    assessment_return,
    assessment_submit,
    is_qualified_assessor,
    policy_document_parse,
    policy_version_load,
    report_filename,
)
from yiyang.assessments.web.forms import (
    ITEM_PREFIX,
    OTHER_DIAGNOSES,
    AssessmentFilterForm,
    AssessmentMetaForm,
    CorrectForm,
    PolicyUploadForm,
    ReturnForm,
    answers_from_post,
    diagnosis_choices,
    option_value,
    selected_value,
)
from yiyang.audit.lists import audit_page_shown
from yiyang.core.errors import FieldError, ValidationFailed
from yiyang.core.web import query_without_page, staff_page
from yiyang.elders.access import access_elder_by_public_id
from yiyang.elders.models import Elder

PAGE_SIZE = 20
STATUS_CLASSES = {
    AssessmentStatus.DRAFT: "text-bg-secondary",
    AssessmentStatus.SUBMITTED: "text-bg-info",
    AssessmentStatus.RETURNED: "text-bg-warning",
    AssessmentStatus.CONFIRMED: "text-bg-success",
}


def _require_assessor(request: HttpRequest) -> None:
    require_perm(request.user, Perm.ASSESSMENTS_CREATE)
    if not is_qualified_assessor(request.user):
        raise PermissionDenied(_("需要评估员资格才能开展评估"))


# ------------------------------------------------------------------------------------- the form
def _form_groups(scale: scoring.Scale, answers: dict[str, Any], item_errors: dict[str, str]) -> list[dict[str, Any]]:
    groups = []
    for group in scale.groups:
        items = []
        for code in group.items:
            item = scale.item(code)
            chosen = selected_value(item, answers)
            items.append(
                {
                    "item": item,
                    "name": f"{ITEM_PREFIX}{item.code}",
                    "error": item_errors.get(item.code),
                    "options": [
                        {"option": option, "value": option_value(option), "checked": option_value(option) == chosen}
                        for option in item.options
                    ],
                }
            )
        groups.append({"group": group, "items": items})
    return groups


def _facts(scale: scoring.Scale, answers: dict[str, Any], item_errors: dict[str, str]) -> list[dict[str, Any]]:
    resolved = {item.resolve_by_fact.fact: item for item in scale.items if item.resolve_by_fact}
    facts = []
    for fact in scale.facts:
        entry: dict[str, Any] = {
            "fact": fact,
            "error": item_errors.get(fact.code),
            "resolved_by": resolved.get(fact.code),
        }
        if fact.type == "icd10_list":
            chosen = [str(c) for c in answers.get(fact.code) or []]
            entry["boxes"], entry["other"] = diagnosis_choices(chosen)
        elif fact.type == "nonneg_int":
            entry["value"] = answers.get(fact.code, 0)
        else:
            entry["value"] = answers.get(fact.code) is True
        facts.append(entry)
    return facts


def _split_errors(errors: list[FieldError]) -> tuple[dict[str, str], list[FieldError]]:
    """Errors on answers by item or fact code, and the others."""
    by_item: dict[str, str] = {}
    other: list[FieldError] = []
    for error in errors:
        if error.field.startswith("answers."):
            by_item.setdefault(error.field.removeprefix("answers."), error.reason)
        else:
            other.append(error)
    return by_item, other


def _render_form(
    request: HttpRequest,
    *,
    elder: Elder,
    scale: scoring.Scale,
    meta: AssessmentMetaForm,
    answers: dict[str, Any],
    assessment: Assessment | None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> HttpResponse:
    item_errors, other = _split_errors(errors or [])
    meta.add_service_errors(other)
    context = {
        "elder": elder,
        # The form only needs to tell which elder it is about: the list-row identifier will do.
        "elder_national_id": disclosure_for(request.user).listed.national_id(elder.national_id),
        "scale": scale,
        "scale_title": scale_title(scale.code),
        "meta": meta,
        "groups": _form_groups(scale, answers, item_errors),
        "facts": _facts(scale, answers, item_errors),
        "answered": sum(1 for item in scale.items if item.code in answers),
        "item_count": len(scale.items),
        "assessment": assessment,
        "problems": [*(errors or [])],
        "annex_source": annex_a_diagnoses().source_shown,
        "other_diagnoses_name": OTHER_DIAGNOSES,
    }
    return render(request, "assessments/assessment_form.html", context, status=status)


@staff_page
def assessment_create_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Choose a scale for the elder, then fill it in: save a draft (answers may be missing) or
    submit (refused, naming each missing item, until everything is answered)."""
    elder = access_elder_by_public_id(user=request.user, public_id=public_id)
    _require_assessor(request)
    code = request.GET.get("scale") or request.POST.get("scale") or ""
    if code not in scoring.SCALE_CODES:
        scales = [{"scale": scoring.get_scale(c), "title": scale_title(c)} for c in scoring.SCALE_CODES]
        return render(request, "assessments/scale_choice.html", {"elder": elder, "scales": scales})
    scale = scoring.get_scale(code)
    if request.method != "POST":
        meta = AssessmentMetaForm(initial={"assessed_on": timezone.localdate()})
        return _render_form(request, elder=elder, scale=scale, meta=meta, answers={}, assessment=None)
    meta = AssessmentMetaForm(request.POST)
    parsed = answers_from_post(scale, request.POST)
    if not meta.is_valid() or parsed.errors:
        return _render_form(
            request, elder=elder, scale=scale, meta=meta, answers=parsed.answers, assessment=None,
            errors=parsed.errors, status=400,
        )  # fmt: skip
    try:
        assessment = assessment_draft_create(
            actor=request.user,
            elder=elder,
            scale=code,
            reason=meta.cleaned_data["reason"],
            assessed_on=meta.cleaned_data["assessed_on"],
            answers=parsed.answers,
            note=meta.cleaned_data["note"],
        )
    except ValidationFailed as exc:
        return _render_form(
            request, elder=elder, scale=scale, meta=meta, answers=parsed.answers, assessment=None,
            errors=exc.errors, status=400,
        )  # fmt: skip
    return _after_save(request, assessment, submit=request.POST.get("action") == "submit")


def _after_save(request: HttpRequest, assessment: Assessment, *, submit: bool) -> HttpResponse:
    if not submit:
        messages.success(request, _("已保存草稿。"))
        return redirect("assessment-edit", public_id=assessment.public_id)
    try:
        assessment_submit(actor=request.user, assessment=assessment)
    except ValidationFailed as exc:
        scale = scoring.get_scale(assessment.scale)
        meta = AssessmentMetaForm(
            initial={"reason": assessment.reason, "assessed_on": assessment.assessed_on, "note": assessment.note}
        )
        return _render_form(
            request, elder=assessment.elder, scale=scale, meta=meta, answers=dict(assessment.answers),
            assessment=assessment, errors=exc.errors, status=400,
        )  # fmt: skip
    messages.success(request, _("已提交，等待审核。"))
    return redirect("assessment-detail", public_id=assessment.public_id)


@staff_page
def assessment_edit_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Continue a draft (or rework a returned record): the assessor's own records only."""
    assessment = access_assessment_by_public_id(user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_CREATE)
    _require_assessor(request)
    if request.user.pk != assessment.assessor_id:
        raise PermissionDenied(_("只有该评估的评估员可以修改或提交"))
    if assessment.status not in EDITABLE_STATUSES:
        messages.info(request, _("该评估已提交，不能再修改。"))
        return redirect("assessment-detail", public_id=assessment.public_id)
    scale = scoring.get_scale(assessment.scale)
    if request.method != "POST":
        meta = AssessmentMetaForm(
            initial={"reason": assessment.reason, "assessed_on": assessment.assessed_on, "note": assessment.note}
        )
        return _render_form(
            request, elder=assessment.elder, scale=scale, meta=meta, answers=dict(assessment.answers),
            assessment=assessment,
        )  # fmt: skip
    meta = AssessmentMetaForm(request.POST)
    parsed = answers_from_post(scale, request.POST)
    if not meta.is_valid() or parsed.errors:
        return _render_form(
            request, elder=assessment.elder, scale=scale, meta=meta, answers=parsed.answers, assessment=assessment,
            errors=parsed.errors, status=400,
        )  # fmt: skip
    try:
        assessment = assessment_draft_update(
            actor=request.user,
            assessment=assessment,
            changes={
                "answers": parsed.answers,
                "reason": meta.cleaned_data["reason"],
                "assessed_on": meta.cleaned_data["assessed_on"],
                "note": meta.cleaned_data["note"],
            },
        )
    except ValidationFailed as exc:
        return _render_form(
            request, elder=assessment.elder, scale=scale, meta=meta, answers=parsed.answers, assessment=assessment,
            errors=exc.errors, status=400,
        )  # fmt: skip
    return _after_save(request, assessment, submit=request.POST.get("action") == "submit")


# ------------------------------------------------------------------------------ the result page
def _answer_rows(assessment: Assessment) -> list[dict[str, Any]]:
    try:
        scale = scoring.get_scale(assessment.scale)
    except scoring.UnknownScale:
        return []
    answers = dict(assessment.answers)
    rows = []
    for item in scale.items:
        chosen = selected_value(item, answers)
        option = next((o for o in item.options if option_value(o) == chosen), None)
        rows.append({"item": item, "option": option, "answered": item.code in answers})
    return rows


def _fact_rows(assessment: Assessment) -> list[dict[str, Any]]:
    try:
        scale = scoring.get_scale(assessment.scale)
    except scoring.UnknownScale:
        return []
    annex = annex_a_diagnoses()
    rows = []
    for fact in scale.facts:
        value = assessment.answers.get(fact.code)
        if fact.type == "icd10_list":
            shown = pgettext("separator between list items", "、").join(
                _("%(code)s（%(label)s）") % {"code": code, "label": annex.label_of(code)}
                if annex.label_of(code)
                else str(code)
                for code in value or []
            ) or _("无")
        elif fact.type == "bool":
            if value is None:
                continue
            shown = _("是") if value else _("否")
        else:
            shown = "—" if value is None else str(value)
        rows.append({"fact": fact, "value": shown})
    return rows


@staff_page
def assessment_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The result with every step that led to it, a warning listing unverified values, and the
    actions the viewer may take (edit, confirm or return, correct, print). Opening it is audited."""
    assessment = access_assessment_by_public_id(user=request.user, public_id=public_id)
    disclosure = disclosure_for(request.user)
    assessment_record_view(
        actor=request.user, assessment=assessment, full_identifiers=disclosure.shows(Value.NATIONAL_ID)
    )
    user = request.user
    is_own = user.pk == assessment.assessor_id
    status = assessment.status
    successor = getattr(assessment, "superseded_by", None)
    today = timezone.localdate()
    groups = result_groups(assessment.scale, assessment.result)
    context = {
        "assessment": assessment,
        "elder_name": disclosure.name(assessment.elder.name),
        "elder_national_id": disclosure.national_id(assessment.elder.national_id),
        "scale_title": scale_title(assessment.scale),
        "status_class": STATUS_CLASSES.get(AssessmentStatus(status), "text-bg-secondary"),
        "result": assessment.result or {},
        "groups": groups,
        "groups_graded": any(g.level_name for g in groups),
        "explanation": explanation_shown(assessment),
        "answer_rows": _answer_rows(assessment),
        "fact_rows": _fact_rows(assessment),
        "successor": successor,
        "is_lapsed": bool(assessment.valid_until and assessment.valid_until < today),
        "can_edit": is_own and status in EDITABLE_STATUSES and is_qualified_assessor(user),
        "can_review": (status == AssessmentStatus.SUBMITTED and has_perm(user, Perm.ASSESSMENTS_REVIEW) and not is_own),
        "can_correct": status == AssessmentStatus.CONFIRMED and successor is None and is_qualified_assessor(user),
        "return_form": ReturnForm(),
        "correct_form": CorrectForm(),
        "record_settings": record_settings(),
    }
    return render(request, "assessments/assessment_detail.html", context)


@staff_page
@require_POST
def assessment_confirm_page(request: HttpRequest, public_id: str) -> HttpResponse:
    assessment = access_assessment_by_public_id(user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_REVIEW)
    try:
        assessment_confirm(actor=request.user, assessment=assessment)
    except ValidationFailed as exc:
        messages.error(request, "；".join(e.reason for e in exc.errors) or exc.message)
    else:
        messages.success(request, _("已确认评估结果。"))
    return redirect("assessment-detail", public_id=assessment.public_id)


@staff_page
@require_POST
def assessment_return_page(request: HttpRequest, public_id: str) -> HttpResponse:
    assessment = access_assessment_by_public_id(user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_REVIEW)
    try:
        assessment_return(actor=request.user, assessment=assessment, reason=request.POST.get("reason", ""))
    except ValidationFailed as exc:
        messages.error(request, "；".join(e.reason for e in exc.errors) or exc.message)
    else:
        messages.success(request, _("已退回评估员修改。"))
    return redirect("assessment-detail", public_id=assessment.public_id)


@staff_page
@require_POST
def assessment_correct_page(request: HttpRequest, public_id: str) -> HttpResponse:
    assessment = access_assessment_by_public_id(user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_CREATE)
    try:
        correction = assessment_correct(actor=request.user, assessment=assessment, note=request.POST.get("note", ""))
    except ValidationFailed as exc:
        messages.error(request, "；".join(e.reason for e in exc.errors) or exc.message)
        return redirect("assessment-detail", public_id=assessment.public_id)
    messages.success(request, _("已创建更正草稿；确认后将取代原记录。"))
    return redirect("assessment-edit", public_id=correction.public_id)


@staff_page
def assessment_report_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """The printable report as PDF (national ID masked); each export is audited."""
    assessment = access_assessment_by_public_id(user=request.user, public_id=public_id)
    try:
        content = assessment_report_export(actor=request.user, assessment=assessment)
    except ValidationFailed as exc:
        messages.error(request, exc.errors[0].reason if exc.errors else exc.message)
        return redirect("assessment-detail", public_id=assessment.public_id)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report_filename(assessment)}"'
    return response


# ------------------------------------------------------------------------------------ the lists
@staff_page
def assessment_list_page(request: HttpRequest) -> HttpResponse:
    """Assessments in reach, filtered by status and scale (reviewers look for 待审核 here)."""
    require_perm(request.user, Perm.ASSESSMENTS_VIEW)
    form = AssessmentFilterForm(request.GET or None)
    filters = AssessmentFilters()
    if form.is_valid():
        scale = form.cleaned_data["scale"] if form.cleaned_data["scale"] in scoring.SCALE_CODES else ""
        filters = AssessmentFilters(status=form.cleaned_data["status"], scale=scale)
    page = Paginator(assessment_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type="assessment", page=page)
    context = {
        "page_obj": page,
        "rows": [{"assessment": a, "scale_title": scale_title(a.scale)} for a in page.object_list],
        "filters": filters,
        "statuses": AssessmentStatus.choices,
        "scales": [(c, scale_title(c)) for c in scoring.SCALE_CODES],
        "status_classes": {str(k): v for k, v in STATUS_CLASSES.items()},
        "query_without_page": query_without_page(request),
    }
    return render(request, "assessments/assessment_list.html", context)


@staff_page
def assessment_due_page(request: HttpRequest) -> HttpResponse:
    """Results lapsing within the reminder window or lapsed, and returned records, in reach; staff
    accounts with `assessments.view` only."""
    require_staff_perm(request.user, Perm.ASSESSMENTS_VIEW)
    today = timezone.localdate()
    due_filters = {"reason": request.GET.get("reason", ""), "q": request.GET.get("q", "").strip()}
    due = assessments_due(user=request.user, today=today, reason=due_filters["reason"], q=due_filters["q"])
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type="assessment", page=page)
    rows = []
    for assessment in page.object_list:
        days = (assessment.valid_until - today).days if assessment.valid_until else None
        rows.append(
            {
                "assessment": assessment,
                "scale_title": scale_short(assessment.scale),
                "reason": DueReason(getattr(assessment, "due_reason")),  # noqa: B009 (an annotation)
                "days": days,
                "days_ago": -days if days is not None and days < 0 else None,
            }
        )
    settings = record_settings()
    context = {
        "page_obj": page,
        "rows": rows,
        "record_settings": settings,
        "can_create": is_qualified_assessor(request.user),
        "filters": due_filters,
        "due_reasons": DueReason.choices,
        "query_without_page": query_without_page(request),
    }
    return render(request, "assessments/assessment_due.html", context)


# ------------------------------------------------------------------------------- policy versions
@staff_page
def policy_page(request: HttpRequest) -> HttpResponse:
    """The policy data in force per scale and every version loaded, with source and verified mark;
    officers with `assessments.policy` upload a new version (JSON or YAML)."""
    if not (has_perm(request.user, Perm.ASSESSMENTS_VIEW) or has_perm(request.user, Perm.POLICY_MANAGE)):
        raise PermissionDenied(missing_perm_message(Perm.ASSESSMENTS_VIEW))
    can_load = has_perm(request.user, Perm.POLICY_MANAGE)
    form = PolicyUploadForm(request.POST or None, request.FILES or None)
    problems: list[FieldError] = []
    if request.method == "POST":
        if not can_load:
            raise PermissionDenied(missing_perm_message(Perm.POLICY_MANAGE))
        if form.is_valid():
            try:
                document = policy_document_parse(form.cleaned_data["file"].read())
                version = policy_version_load(actor=request.user, document=document)
            except ValidationFailed as exc:
                problems = exc.errors or [FieldError("file", exc.message)]
            else:
                messages.success(
                    request,
                    _("已导入 %(scale)s 的政策数据，自 %(date)s 起适用。")
                    % {"scale": version.scale, "date": version.effective_from.isoformat()},
                )
                return redirect("assessment-policy")
    versions = list(policy_versions_in_reach(user=request.user).order_by("scale", "-effective_from", "-id"))
    current = policy_versions_current_ids(district_id=scope_for(request.user).district_id, on=timezone.localdate())
    scales = []
    for code in scoring.SCALE_CODES:
        scale = scoring.get_scale(code)
        scales.append(
            {
                "scale": scale,
                "title": scale_title(code),
                "current": next((v for v in versions if v.scale == code and v.pk in current), None),
                "unverified": unverified_parts(scale),
                "settings": scale.settings,
            }
        )
    context = {
        "form": form,
        "problems": problems,
        "can_load": can_load,
        "scales": scales,
        "versions": versions,
        "current_ids": current,
        "record_settings": record_settings(),
    }
    return render(request, "assessments/policy.html", context, status=400 if problems else 200)
