"""Writes of the application workflow: submit (with attachments) → street review → district decision
(an entitlement, and for one-off schemes its instalments), withdrawal by the applicant, and an
officer ending an entitlement.

Every write checks the right and the reach, reports every field error at once (ValidationFailed),
changes a status only from the status it expects (a concurrent twin fails instead of acting twice)
and is audited. Refusal reasons and notes are stored on the record, not copied into the audit log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, require_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_record_shown
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits import rules
from yiyang.benefits.choices import ApplicationStatus, Channel, EntitlementStatus, Scheme, StopReason, SubjectKind
from yiyang.benefits.declared import MONTHLY, SUBJECT_KINDS, read_facts
from yiyang.benefits.errors import ApplicationNotFound, EntitlementNotFound
from yiyang.benefits.models import Application, Attachment, Entitlement, Instalment
from yiyang.benefits.policy import PolicyError
from yiyang.benefits.rules import PlannedInstalment, RuleRefusal
from yiyang.benefits.selectors import (
    active_entitlement_exists,
    applications_in_reach,
    district_policy,
    entitlements_in_reach,
    pending_application_exists,
)
from yiyang.core.errors import ErrorCollector, FieldError, Forbidden, ValidationFailed
from yiyang.core.limits import limit
from yiyang.core.national_id import InvalidNationalId, parse_national_id
from yiyang.elders.choices import ElderStatus, HouseholdRegistration
from yiyang.elders.models import Elder
from yiyang.elders.selectors import elders_in_reach
from yiyang.organisations.choices import OrganisationKind, OrganisationStatus
from yiyang.organisations.models import Organisation
from yiyang.organisations.selectors import organisations_in_reach

APPLICATION = "benefit_application"
ATTACHMENT = "benefit_attachment"
ENTITLEMENT = "benefit_entitlement"

NOTE_MAX = 500  # street_note, refusal_reason: the model's columns
NAME_MAX = 100
BANK_MAX = 100
KEY_MAX = 100
ACCOUNT_DIGITS = (8, 32)
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 10
ATTACHMENT_NAME_MAX = 200
PENDING = (ApplicationStatus.SUBMITTED, ApplicationStatus.STREET_APPROVED)
# Content sniffing: what the first bytes say, never what the name or the client claims.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True)
class ApplicationInput:
    """What an applicant submits. `elder` / `organisation` are public ids; a worker's application
    names the worker and the organisation employing them."""

    scheme: str
    requested_from: date | None
    payee_name: str
    payee_account: str
    payee_bank: str
    elder: UUID | str | None = None
    organisation: UUID | str | None = None
    worker_name: str = ""
    worker_national_id: str = ""
    facts: Any = field(default_factory=dict)
    # Empty: from the applicant's account (family, institution, else street); or `import`.
    channel: str = ""
    idempotency_key: str = ""


def _uuid(value: UUID | str | None) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _audit(actor: AnyUser, record: Any, entity_type: str, action: AuditAction, summary: str, fields: list[str]) -> None:
    audit_record(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(record.public_id),
        summary=summary,
        fields=fields,
        district=record.district_id,
    )


def _channel(actor: AnyUser, given: str, errors: ErrorCollector) -> str:
    if given:
        if given not in Channel.values:
            errors.add("channel", _("未知的申请渠道"), "invalid_choice")
        return given
    kind = scope_for(actor).kind
    if kind is ScopeKind.FAMILY:
        return Channel.FAMILY
    if kind is ScopeKind.ORGANISATION:
        return Channel.INSTITUTION
    return Channel.STREET


def _resolve_elder(actor: AnyUser, data: ApplicationInput, errors: ErrorCollector) -> Elder | None:
    if not data.elder:
        errors.add("elder", _("请选择申请补贴的老年人"), "required")
        return None
    key = _uuid(data.elder)
    elder = (
        None if key is None else elders_in_reach(user=actor).select_related("district").filter(public_id=key).first()
    )
    if elder is None:
        errors.add("elder", _("老年人不存在或不在您的辖区内"), "not_found")
        return None
    if elder.status != ElderStatus.ACTIVE:
        errors.add("elder", _("老年人已%(status)s，不能申请") % {"status": elder.get_status_display()}, "not_active")
    if elder.household_registration != HouseholdRegistration.REGISTERED:
        errors.add(
            "elder",
            _("老年人户籍不在%(district)s，不能申请入住机构养老服务补贴") % {"district": elder.district.name},
            "not_registered",
        )
    return elder


def _resolve_organisation(actor: AnyUser, data: ApplicationInput, errors: ErrorCollector) -> Organisation | None:
    if not data.organisation:
        errors.add("organisation", _("请选择机构"), "required")
        return None
    key = _uuid(data.organisation)
    organisation = None if key is None else organisations_in_reach(user=actor).filter(public_id=key).first()
    if organisation is None:
        errors.add("organisation", _("机构不存在或不在您的辖区内"), "not_found")
    return organisation


def is_licensed_institution(organisation: Organisation) -> bool:
    """A licensed (or filed) institution that is open: what the bed operation subsidy requires."""
    return (
        organisation.kind == OrganisationKind.INSTITUTION
        and bool(organisation.licence_number.strip() or organisation.filing_number.strip())
        and organisation.status == OrganisationStatus.OPEN
    )


def _check_payee(data: ApplicationInput, errors: ErrorCollector) -> tuple[str, str, str]:
    name = (data.payee_name or "").strip()
    bank = (data.payee_bank or "").strip()
    account = "".join((data.payee_account or "").split())
    if not name:
        errors.add("payee_name", _("请填写收款人"), "required")
    elif len(name) > NAME_MAX:
        errors.add("payee_name", _("收款人不能超过%(n)s个字符") % {"n": NAME_MAX}, "max_length")
    low, high = ACCOUNT_DIGITS
    if not account:
        errors.add("payee_account", _("请填写收款账号"), "required")
    elif not account.isdigit() or not low <= len(account) <= high:
        errors.add("payee_account", _("收款账号应为%(low)s至%(high)s位数字") % {"low": low, "high": high}, "invalid")
    if not bank:
        errors.add("payee_bank", _("请填写开户行"), "required")
    elif len(bank) > BANK_MAX:
        errors.add("payee_bank", _("开户行不能超过%(n)s个字符") % {"n": BANK_MAX}, "max_length")
    return name, account, bank


def _check_requested_from(value: date | None, errors: ErrorCollector) -> None:
    if value is None:
        errors.add("requested_from", _("请填写申请享受起始日期"), "required")
    elif not limit("YIYANG_EARLIEST_DATE") <= value <= limit("YIYANG_LATEST_DATE"):
        errors.add("requested_from", _("申请享受起始日期不在可接受的范围内"), "date_out_of_range")


def _plan(scheme: str, district_id: int, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    """The instalments of a one-off scheme; RuleRefusal / PolicyError as ValidationFailed naming the
    fact (`facts.<name>`) or the date."""
    try:
        return rules.one_off_plan(scheme, district_policy(district_id=district_id), on, facts)
    except RuleRefusal as refusal:
        raise ValidationFailed.single(f"facts.{refusal.field}", refusal.reason, "refused") from None
    except PolicyError as error:
        raise ValidationFailed.single(
            "requested_from", _("该日期没有可用的政策参数：%(error)s") % {"error": str(error)}, "no_policy_value"
        ) from None


def example_values_refusal(plan: list[PlannedInstalment]) -> ValidationFailed | None:
    """The refusal to use example parameter values (unless BENEFITS_ALLOW_EXAMPLE_VALUES), naming
    each parameter; None when every value used is allowed."""
    if getattr(settings, "BENEFITS_ALLOW_EXAMPLE_VALUES", False):
        return None
    paths = sorted(
        {p["path"] for item in plan for p in item.explanation.get("parameters", []) if p.get("status") == "example"}
    )
    if not paths:
        return None
    errors = [
        FieldError(
            "policy",
            _("参数 %(path)s 只有示例值（未经核实），请先载入本区的正式取值") % {"path": path},
            "example_value",
        )
        for path in paths
    ]
    return ValidationFailed(errors[0].reason, errors=errors)


def _duplicate_errors(
    scheme: str, elder: Elder | None, organisation: Organisation | None, errors: ErrorCollector
) -> None:
    """One active entitlement (or one pending application) per elder for the resident subsidy and
    per organisation for the bed operation subsidy."""
    if scheme == Scheme.RESIDENT_CARE and elder is not None:
        if active_entitlement_exists(scheme=scheme, elder_id=elder.pk):
            errors.add("elder", _("该老年人已在享受入住机构养老服务补贴"), "duplicate")
        elif pending_application_exists(scheme=scheme, elder_id=elder.pk):
            errors.add("elder", _("该老年人已有一份入住机构养老服务补贴申请在审核中"), "duplicate")
    if scheme == Scheme.BED_OPERATION and organisation is not None:
        if active_entitlement_exists(scheme=scheme, organisation_id=organisation.pk):
            errors.add("organisation", _("该机构已在享受床位运营补贴"), "duplicate")
        elif pending_application_exists(scheme=scheme, organisation_id=organisation.pk):
            errors.add("organisation", _("该机构已有一份床位运营补贴申请在审核中"), "duplicate")


@transaction.atomic
def application_submit(*, actor: AnyUser, data: ApplicationInput) -> Application:
    """Submit an application for the street review.

    Guarantees: the actor holds `benefits.apply`; the subject is in the actor's reach and of the
    scheme's kind (an elder for the resident subsidy, an organisation for the institution schemes, a
    worker with the organisation employing them for the worker awards); family members apply for
    their own elders' resident subsidy only; the resident subsidy's elder is on the roll with 户籍 in
    the district; the bed operation subsidy's organisation is a licensed, open institution; one
    active entitlement or pending application per elder (resident subsidy) and per organisation (bed
    operation subsidy); a one-off scheme's declared facts pass its rule on `requested_from` under the
    district's policy (a refusal names the fact); payee name, account (8–32 digits) and bank given.
    Every problem is reported at once. The same `idempotency_key` from the same applicant returns the
    application already submitted, unchanged. Audited.
    """
    require_perm(actor, Perm.BENEFITS_APPLY)
    assert isinstance(actor, User)
    key = (data.idempotency_key or "").strip()
    if key:
        existing = applications_in_reach(user=actor).filter(applicant_id=actor.pk, idempotency_key=key).first()
        if existing is not None:
            return existing
    errors = ErrorCollector()
    if len(key) > KEY_MAX:
        errors.add("idempotency_key", _("幂等键不能超过%(n)s个字符") % {"n": KEY_MAX}, "max_length")
    channel = _channel(actor, data.channel, errors)
    scheme = data.scheme
    if scheme not in Scheme.values:
        errors.add("scheme", _("请选择补贴项目"), "required" if not scheme else "invalid_choice")
        errors.raise_if_any()
    if scope_for(actor).kind is ScopeKind.FAMILY and scheme != Scheme.RESIDENT_CARE:
        errors.add("scheme", _("家属只能为自己的老人申请入住机构养老服务补贴"), "not_allowed")
    kind = SUBJECT_KINDS[scheme]
    elder = organisation = None
    worker_name, worker_id = "", ""
    if kind == SubjectKind.ELDER:
        elder = _resolve_elder(actor, data, errors)
        if data.organisation:
            errors.add("organisation", _("该补贴项目的申请对象是老年人，不填机构"), "not_allowed")
    else:
        if data.elder:
            errors.add("elder", _("该补贴项目的申请对象不是老年人，不填老年人"), "not_allowed")
        organisation = _resolve_organisation(actor, data, errors)
        if scheme == Scheme.BED_OPERATION and organisation is not None and not is_licensed_institution(organisation):
            errors.add("organisation", _("床位运营补贴只发给已取得许可或备案、正在运营的养老机构"), "not_licensed")
    if kind == SubjectKind.WORKER:
        worker_name = (data.worker_name or "").strip()
        if not worker_name:
            errors.add("worker_name", _("请填写护理人员姓名"), "required")
        elif len(worker_name) > NAME_MAX:
            errors.add("worker_name", _("姓名不能超过%(n)s个字符") % {"n": NAME_MAX}, "max_length")
        try:
            worker_id = parse_national_id(data.worker_national_id or "").number
        except InvalidNationalId as exc:
            errors.add("worker_national_id", str(exc), "invalid")
    else:
        if (data.worker_name or "").strip() or (data.worker_national_id or "").strip():
            errors.add("worker_name", _("该补贴项目的申请对象不是护理人员，不填护理人员"), "not_allowed")
    _duplicate_errors(scheme, elder, organisation, errors)
    facts, problems = read_facts(scheme, data.facts)
    for name, reason, code in problems:
        errors.add(name, reason, code)
    _check_requested_from(data.requested_from, errors)
    payee_name, payee_account, payee_bank = _check_payee(data, errors)
    subject = elder or organisation
    if not errors.errors and scheme not in MONTHLY and subject is not None and data.requested_from is not None:
        try:
            _plan(scheme, subject.district_id, data.requested_from, facts)
        except ValidationFailed as refusal:
            errors.errors.extend(refusal.errors)
    errors.raise_if_any()
    assert subject is not None and data.requested_from is not None
    try:
        with transaction.atomic():
            application = Application.objects.create(
                scheme=scheme,
                subject_kind=kind,
                district_id=subject.district_id,
                street_id=subject.street_id,
                elder=elder,
                organisation=organisation,
                worker_name=worker_name,
                worker_national_id=worker_id,
                facts=facts,
                channel=channel,
                applicant=actor,
                requested_from=data.requested_from,
                payee_name=payee_name,
                payee_account=payee_account,
                payee_bank=payee_bank,
                submitted_at=timezone.now(),
                idempotency_key=key,
            )
    except IntegrityError:
        raise ValidationFailed.single("idempotency_key", _("该幂等键已被其他申请使用"), "duplicate") from None
    _audit(actor, application, APPLICATION, AuditAction.CREATE, "提交补贴申请", ["scheme", "status"])
    return application


def _require_in_reach(actor: AnyUser, application: Application) -> None:
    if not applications_in_reach(user=actor).filter(pk=application.pk).exists():
        raise ApplicationNotFound


def _status_error(application: Application, reason: str) -> ValidationFailed:
    return ValidationFailed.single("status", reason, "status")


def sniff_content_type(content: bytes) -> str | None:
    """The attachment's type from its first bytes (PDF, PNG or JPEG), else None."""
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None


@transaction.atomic
def attachment_add(*, actor: AnyUser, application: Application, name: str, content: bytes) -> Attachment:
    """Attach a supporting document to an application waiting for a decision.

    Guarantees: `benefits.apply` and the application in reach; at most 5 MB, at most 10 per
    application; a PDF, JPEG or PNG by its content (the name and the client's type are not trusted);
    its SHA-256 kept. Audited."""
    require_perm(actor, Perm.BENEFITS_APPLY)
    assert isinstance(actor, User)
    _require_in_reach(actor, application)
    errors = ErrorCollector()
    if application.status not in PENDING:
        errors.add("status", _("只有审核中的申请可以补充附件"), "status")
    name = (name or "").strip().replace("/", "_").replace("\\", "_")
    if not name:
        errors.add("file", _("请选择文件"), "required")
    elif len(name) > ATTACHMENT_NAME_MAX:
        errors.add("file", _("文件名不能超过%(n)s个字符") % {"n": ATTACHMENT_NAME_MAX}, "max_length")
    content_type = None
    if not content:
        errors.add("file", _("文件是空的"), "empty")
    elif len(content) > ATTACHMENT_MAX_BYTES:
        errors.add("file", _("文件不能超过 5 MB"), "too_large")
    else:
        content_type = sniff_content_type(content)
        if content_type is None:
            errors.add("file", _("只接受 PDF、JPG 或 PNG 文件"), "file_type")
    if Attachment.objects.filter(application=application).count() >= ATTACHMENT_MAX_COUNT:
        errors.add("file", _("每份申请最多 %(n)s 个附件") % {"n": ATTACHMENT_MAX_COUNT}, "too_many")
    errors.raise_if_any()
    assert content_type is not None
    attachment = Attachment.objects.create(
        application=application,
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type=ATTACHMENT,
        entity_id=str(attachment.public_id),
        summary="上传补贴申请附件",
        fields=["name", "content_type", "size", "sha256"],
        district=application.district_id,
    )
    return attachment


def attachment_read(*, actor: AnyUser, attachment: Attachment) -> bytes:
    """The attachment's content for a download by an account that may see its application; audited."""
    require_perm(actor, Perm.BENEFITS_VIEW)
    _require_in_reach(actor, attachment.application)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type=ATTACHMENT,
        entity_id=str(attachment.public_id),
        summary="下载补贴申请附件",
        district=attachment.application.district_id,
    )
    return bytes(Attachment.objects.values_list("content", flat=True).get(pk=attachment.pk))


def application_record_view(*, actor: AnyUser, application: Application) -> None:
    """Record that the actor opened the application (its payee and facts)."""
    audit_record_shown(actor=actor, entity_type=APPLICATION, record=application)


def entitlement_record_view(*, actor: AnyUser, entitlement: Entitlement) -> None:
    audit_record_shown(actor=actor, entity_type=ENTITLEMENT, record=entitlement)


def _text(value: str, field_name: str, label: str, errors: ErrorCollector, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.add(field_name, _("请填写%(label)s") % {"label": label}, "required")
    elif len(text) > NOTE_MAX:
        errors.add(field_name, _("%(label)s不能超过%(n)s个字符") % {"label": label, "n": NOTE_MAX}, "max_length")
    return text


def _not_own(actor: AnyUser, application: Application) -> None:
    if application.applicant_id == actor.pk:
        raise Forbidden(_("不能审核或审批自己提交的申请"))


def _reload(application: Application) -> Application:
    return Application.objects.select_related("district", "street", "elder", "organisation", "applicant").get(
        pk=application.pk
    )


@transaction.atomic
def application_street_review(
    *, actor: AnyUser, application: Application, approve: bool, note: str = "", reason: str = ""
) -> Application:
    """The street's review of a submitted application: approve (to the district, with an optional
    note) or refuse (a reason is required; the application is then closed).

    Guarantees: `benefits.review`, the application in reach and not the reviewer's own; the status
    changes only from `submitted` (a concurrent twin fails). Audited."""
    require_perm(actor, Perm.BENEFITS_REVIEW)
    _require_in_reach(actor, application)
    _not_own(actor, application)
    errors = ErrorCollector()
    note = _text(note, "note", _("审核意见"), errors, required=False)
    reason = _text(reason, "reason", _("不予通过原因"), errors, required=not approve)
    errors.raise_if_any()
    now = timezone.now()
    changes: dict[str, Any] = {"street_reviewer": actor, "street_reviewed_at": now, "updated_at": now}
    if approve:
        changes.update(status=ApplicationStatus.STREET_APPROVED, street_note=note)
    else:
        changes.update(status=ApplicationStatus.REFUSED, street_note=note, refusal_reason=reason)
    updated = Application.objects.filter(pk=application.pk, status=ApplicationStatus.SUBMITTED).update(**changes)
    if not updated:
        raise _status_error(application, _("只有待街道审核的申请可以审核"))
    current = _reload(application)
    summary = "街道审核通过补贴申请" if approve else "街道审核不予通过补贴申请"
    _audit(actor, current, APPLICATION, AuditAction.CHANGE, summary, ["status", "street_reviewer", "street_note"])
    return current


@transaction.atomic
def application_decide(*, actor: AnyUser, application: Application, approve: bool, reason: str = "") -> Application:
    """The district's decision on a street-approved application.

    Approving creates the entitlement (from `requested_from`, the payee and facts copied) and, for a
    one-off scheme, its instalments as the scheme's rule plans them under the district's policy
    (amounts in yuan to the fen). Refused: a second active resident subsidy for an elder or bed
    operation subsidy for an organisation; facts the rule now refuses (named); for a one-off scheme, a
    parameter with only an example value unless BENEFITS_ALLOW_EXAMPLE_VALUES (named; a monthly
    scheme's values are checked by the payroll that computes them). Refusing needs a reason.

    Guarantees: `benefits.approve`, the application in reach and not the decider's own; the status
    changes only from `street_approved` and there is one entitlement per application. Audited."""
    require_perm(actor, Perm.BENEFITS_APPROVE)
    _require_in_reach(actor, application)
    _not_own(actor, application)
    errors = ErrorCollector()
    reason = _text(reason, "reason", _("不予通过原因"), errors, required=not approve)
    errors.raise_if_any()
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.STREET_APPROVED:
        raise _status_error(locked, _("只有待区级审批的申请可以审批"))
    now = timezone.now()
    if not approve:
        Application.objects.filter(pk=locked.pk).update(
            status=ApplicationStatus.REFUSED, decided_by=actor, decided_at=now, refusal_reason=reason, updated_at=now
        )
        current = _reload(application)
        _audit(actor, current, APPLICATION, AuditAction.CHANGE, "区级审批不予通过补贴申请", ["status", "decided_by"])
        return current
    duplicates = ErrorCollector()
    if locked.scheme == Scheme.RESIDENT_CARE and active_entitlement_exists(
        scheme=locked.scheme, elder_id=locked.elder_id
    ):
        duplicates.add("elder", _("该老年人已在享受入住机构养老服务补贴"), "duplicate")
    if locked.scheme == Scheme.BED_OPERATION and active_entitlement_exists(
        scheme=locked.scheme, organisation_id=locked.organisation_id
    ):
        duplicates.add("organisation", _("该机构已在享受床位运营补贴"), "duplicate")
    duplicates.raise_if_any()
    plan: list[PlannedInstalment] = []
    if locked.scheme not in MONTHLY:
        plan = _plan(locked.scheme, locked.district_id, locked.requested_from, dict(locked.facts))
        refusal = example_values_refusal(plan)
        if refusal is not None:
            raise refusal
    Application.objects.filter(pk=locked.pk).update(
        status=ApplicationStatus.APPROVED, decided_by=actor, decided_at=now, updated_at=now
    )
    entitlement = Entitlement.objects.create(
        application=locked,
        scheme=locked.scheme,
        subject_kind=locked.subject_kind,
        district_id=locked.district_id,
        street_id=locked.street_id,
        elder_id=locked.elder_id,
        organisation_id=locked.organisation_id,
        worker_name=locked.worker_name,
        facts=dict(locked.facts),
        payee_name=locked.payee_name,
        payee_account=locked.payee_account,
        payee_bank=locked.payee_bank,
        starts_on=locked.requested_from,
        status=EntitlementStatus.ACTIVE,
    )
    Instalment.objects.bulk_create(
        Instalment(
            entitlement=entitlement,
            sequence=item.sequence,
            due_month=item.due_month,
            amount=rules.yuan(item.amount_fen),
            explanation=item.explanation,
        )
        for item in plan
    )
    current = _reload(application)
    _audit(actor, current, APPLICATION, AuditAction.CHANGE, "区级审批通过补贴申请", ["status", "decided_by"])
    _audit(actor, entitlement, ENTITLEMENT, AuditAction.CREATE, "核定补贴待遇", ["scheme", "starts_on", "instalments"])
    return current


@transaction.atomic
def application_withdraw(*, actor: AnyUser, application: Application) -> Application:
    """The applicant withdraws an application before the district decides. Only the account that
    submitted it may (Forbidden otherwise); the status changes only from a pending one. Audited."""
    require_perm(actor, Perm.BENEFITS_APPLY)
    _require_in_reach(actor, application)
    if application.applicant_id != actor.pk:
        raise Forbidden(_("只有申请人可以撤回申请"))
    now = timezone.now()
    updated = Application.objects.filter(pk=application.pk, status__in=PENDING).update(
        status=ApplicationStatus.WITHDRAWN, updated_at=now
    )
    if not updated:
        raise _status_error(application, _("只有审核中的申请可以撤回"))
    current = _reload(application)
    _audit(actor, current, APPLICATION, AuditAction.CHANGE, "撤回补贴申请", ["status"])
    return current


@transaction.atomic
def entitlement_end(
    *, actor: AnyUser, entitlement: Entitlement, reason: str, ends_on: date | None = None
) -> Entitlement:
    """An officer ends an active entitlement (stop reason 经办人终止) on `ends_on` (default today),
    with a reason that the audit event keeps. Guarantees: `benefits.approve`, the entitlement in
    reach, `ends_on` not before it starts; the status changes only from active. Audited."""
    require_perm(actor, Perm.BENEFITS_APPROVE)
    if not entitlements_in_reach(user=actor).filter(pk=entitlement.pk).exists():
        raise EntitlementNotFound
    errors = ErrorCollector()
    reason = _text(reason, "reason", _("终止原因"), errors, required=True)
    ends_on = ends_on or timezone.localdate()
    if ends_on < entitlement.starts_on:
        errors.add(
            "ends_on",
            _("终止日期不能早于起始日期 %(date)s") % {"date": entitlement.starts_on.isoformat()},
            "date_order",
        )
    errors.raise_if_any()
    updated = Entitlement.objects.filter(pk=entitlement.pk, status=EntitlementStatus.ACTIVE).update(
        status=EntitlementStatus.ENDED, ends_on=ends_on, stop_reason=StopReason.OFFICER, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationFailed.single("status", _("只有享受中的待遇可以终止"), "status")
    current = Entitlement.objects.select_related("district", "street", "elder", "organisation").get(pk=entitlement.pk)
    _audit(
        actor, current, ENTITLEMENT, AuditAction.CHANGE, f"终止补贴待遇：{reason}", ["status", "ends_on", "stop_reason"]
    )
    return current
