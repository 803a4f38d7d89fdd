"""The life of an assessment record: draft → submitted → confirmed, or returned and drafted again;
a confirmed record is never changed, a correction is a new record that supersedes it.

Every service checks, in this order, that the record's elder is within the actor's reach
(NotFound otherwise, as for a missing record), that the actor holds the right and qualification
(Forbidden), and then the input (ValidationFailed listing every bad field at once; nothing is
written). Each write runs in one transaction and is audited with field names only.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, has_perm, require_perm
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import person_snapshot
from yiyang.assessments import scoring
from yiyang.assessments.choices import EDITABLE_STATUSES, AssessmentReason, AssessmentStatus, family_of
from yiyang.assessments.errors import AssessmentNotFound
from yiyang.assessments.models import Assessment, PolicyVersion
from yiyang.assessments.record_settings import valid_until_for
from yiyang.assessments.selectors import assessments_in_reach, policy_version_current
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, FieldError, Forbidden, ValidationFailed
from yiyang.elders.errors import ElderNotFound
from yiyang.elders.models import Elder
from yiyang.elders.selectors import elders_in_reach

ENTITY = "assessment"
DRAFT_FIELDS = frozenset({"answers", "reason", "assessed_on", "note"})
NOTE_MAX = 2000


def _require_elder_in_reach(actor: AnyUser, elder: Elder) -> None:
    if not elders_in_reach(user=actor).filter(pk=elder.pk).exists():
        raise ElderNotFound


def _require_record_in_reach(actor: AnyUser, assessment: Assessment) -> None:
    if not assessments_in_reach(user=actor).filter(pk=assessment.pk).exists():
        raise AssessmentNotFound


def is_qualified_assessor(user: AnyUser) -> bool:
    """Holds `assessments.create` and the assessor qualification (`User.is_assessor`)."""
    return isinstance(user, User) and user.is_assessor and has_perm(user, Perm.ASSESSMENTS_CREATE)


def require_qualified_assessor(actor: AnyUser) -> None:
    """Raise Forbidden unless `actor` holds `assessments.create` and the assessor qualification."""
    require_perm(actor, Perm.ASSESSMENTS_CREATE)
    if not is_qualified_assessor(actor):
        raise Forbidden(_("需要评估员资格才能开展评估"))


def _require_own_record(actor: AnyUser, assessment: Assessment) -> None:
    if actor.pk != assessment.assessor_id:
        raise Forbidden(_("只有该评估的评估员可以修改或提交"))


def _require_reviewer(actor: AnyUser, assessment: Assessment) -> None:
    require_perm(actor, Perm.ASSESSMENTS_REVIEW)
    if actor.pk == assessment.assessor_id:
        raise Forbidden(_("评估员不能审核自己的评估"))


def _signer(actor: AnyUser) -> dict[str, str]:
    """The signing person as they are now, kept on the record so its report names them as they
    were (the actor was checked to be a signed-in account before)."""
    assert isinstance(actor, User)
    return person_snapshot(User.objects.select_related("organisation", "area").get(pk=actor.pk))


def _status_error(assessment: Assessment, expected: str) -> ValidationFailed:
    current = AssessmentStatus(assessment.status).label
    return ValidationFailed.single(
        "status",
        _("该评估当前状态为“%(status)s”，%(expected)s") % {"status": current, "expected": expected},
        "invalid_status",
    )


def _answer_errors(scale: str, answers: Any, errors: ErrorCollector) -> None:
    """Check a draft's answers as far as they go (missing items are allowed in a draft)."""
    if not isinstance(answers, Mapping):
        errors.add("answers", _("评估答案应为对象（题目代码 → 得分）"), "invalid")
        return
    for error in scoring.answers_check_partial(scale, answers):
        errors.errors.append(_answers_field(error))


def _answers_field(error: FieldError) -> FieldError:
    name = error.field if error.field.startswith("answers") else f"answers.{error.field}"
    return FieldError(name, error.reason, error.code, error.row)


def _check_draft_fields(
    *, elder: Elder, reason: Any, assessed_on: Any, note: Any, errors: ErrorCollector, today: date
) -> None:
    if reason not in AssessmentReason.values:
        choices = "、".join(str(c.label) for c in AssessmentReason)
        errors.add("reason", _("评估原因应为以下之一：%(choices)s") % {"choices": choices}, "invalid_choice")
    if not isinstance(assessed_on, date):
        errors.add("assessed_on", _("评估日期不能为空"), "required")
    elif assessed_on > today:
        errors.add("assessed_on", _("评估日期不能晚于今天"), "future_date")
    elif assessed_on < elder.birth_date:
        errors.add("assessed_on", _("评估日期不能早于出生日期"), "before_birth")
    if not isinstance(note, str):
        errors.add("note", _("备注应为文字"), "invalid")
    elif len(note) > NOTE_MAX:
        errors.add("note", _("备注不能超过%(n)s个字符") % {"n": NOTE_MAX}, "max_length")


def _audit(actor: AnyUser, assessment: Assessment, action: AuditAction, summary: str, fields: list[str]) -> None:
    audit_record(
        actor=actor,
        action=action,
        entity_type=ENTITY,
        entity_id=str(assessment.public_id),
        summary=summary,
        fields=fields,
        district=assessment.elder.district_id,
    )


@transaction.atomic
def assessment_draft_create(
    *,
    actor: AnyUser,
    elder: Elder,
    scale: str,
    reason: str,
    assessed_on: date | None,
    answers: Mapping[str, Any] | None = None,
    note: str = "",
    today: date | None = None,
) -> Assessment:
    """Start an assessment of `elder` with `scale`; the actor becomes its assessor.

    Guarantees: the elder is in the actor's reach (ElderNotFound otherwise); the actor holds
    `assessments.create` and the assessor qualification (Forbidden); the scale exists, the reason is
    one of the Annex A reasons, the date is neither in the future nor before the elder's birth, and
    every answer given is an item of the scale with an allowed score (answers may be incomplete).
    Every problem is reported at once and nothing is written. The creation is audited.
    """
    _require_elder_in_reach(actor, elder)
    require_qualified_assessor(actor)
    today = today or timezone.localdate()
    answers = {} if answers is None else answers
    errors = ErrorCollector()
    known_scale = scale in scoring.SCALE_CODES
    if not known_scale:
        errors.add("scale", _("未知的评估量表“%(code)s”") % {"code": scale}, "unknown_scale")
    _check_draft_fields(elder=elder, reason=reason, assessed_on=assessed_on, note=note, errors=errors, today=today)
    if known_scale:
        _answer_errors(scale, answers, errors)
    errors.raise_if_any(_("评估信息有误"))
    assert isinstance(actor, User) and assessed_on is not None
    assessment = Assessment.objects.create(
        elder=elder,
        scale=scale,
        family=family_of(scale),
        scale_version=scoring.scale_fingerprint(scale),
        reason=reason,
        assessed_on=assessed_on,
        assessor=actor,
        answers=dict(answers),
        note=note.strip(),
    )
    assessment.elder = elder
    _audit(actor, assessment, AuditAction.CREATE, "新建能力评估草稿", ["scale", "reason", "assessed_on", "answers"])
    return assessment


def _locked(assessment: Assessment) -> Assessment:
    """The row again, locked for this transaction, with the elder loaded."""
    return Assessment.objects.select_for_update().select_related("elder").get(pk=assessment.pk)


@transaction.atomic
def assessment_draft_update(
    *, actor: AnyUser, assessment: Assessment, changes: Mapping[str, Any], today: date | None = None
) -> Assessment:
    """Change a draft (or a returned record) of which the actor is the assessor.

    Accepts `answers` (replaces all answers; may be partial), `reason`, `assessed_on` and `note`;
    any other key is an error. A returned record becomes a draft again. Submitted and confirmed
    records are refused (`status`), so a confirmed record is never changed. Only the names of the
    changed fields are audited; a change that changes nothing writes nothing.
    """
    _require_record_in_reach(actor, assessment)
    require_qualified_assessor(actor)
    _require_own_record(actor, assessment)
    current = _locked(assessment)
    if current.status not in EDITABLE_STATUSES:
        raise _status_error(current, _("只有草稿或被退回的评估可以修改"))
    errors = ErrorCollector()
    for key in changes:
        if key not in DRAFT_FIELDS:
            errors.add(key, _("该字段不存在或不可修改"), "unknown_field")
    errors.raise_if_any(_("评估信息有误"))
    values = {
        "answers": changes.get("answers", current.answers),
        "reason": changes.get("reason", current.reason),
        "assessed_on": changes.get("assessed_on", current.assessed_on),
        "note": changes.get("note", current.note),
    }
    _check_draft_fields(
        elder=current.elder,
        reason=values["reason"],
        assessed_on=values["assessed_on"],
        note=values["note"],
        errors=errors,
        today=today or timezone.localdate(),
    )
    if "answers" in changes:
        _answer_errors(current.scale, values["answers"], errors)
    errors.raise_if_any(_("评估信息有误"))
    values["note"] = values["note"].strip()
    if "answers" in changes:
        values["answers"] = dict(values["answers"])
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    became_draft = current.status == AssessmentStatus.RETURNED
    if not changed and not became_draft:
        return current
    for name in changed:
        setattr(current, name, values[name])
    update_fields = [*changed, "updated_at"]
    if became_draft:
        current.status = AssessmentStatus.DRAFT
        update_fields.append("status")
    current.save(update_fields=update_fields)
    _audit(actor, current, AuditAction.CHANGE, "修改能力评估草稿", changed + (["status"] if became_draft else []))
    return current


def _scoring_inputs(
    assessment: Assessment,
) -> tuple[PolicyVersion | None, dict[str, Any] | None, dict[str, Any] | None]:
    version = policy_version_current(
        scale=assessment.scale, district_id=assessment.elder.district_id, on=assessment.assessed_on
    )
    if version is None:
        return None, None, None
    return version, (version.data or None), (version.scoring_settings or None)


@transaction.atomic
def assessment_submit(*, actor: AnyUser, assessment: Assessment) -> Assessment:
    """Submit a complete draft (or returned record) for review, computing its result.

    Only the record's own assessor, holding `assessments.create` and the assessor qualification,
    may submit (Forbidden otherwise). The result is computed here from the stored answers with the
    policy version in force for the elder's district on the assessment date (never taken from a
    client): a missing item, an unknown item or a score not allowed fails with one error per item,
    and nothing changes. Stores the result with its explanation, level, verified flag, the policy
    and settings used, the data fingerprint and the validity end date. Audited.
    """
    _require_record_in_reach(actor, assessment)
    require_qualified_assessor(actor)
    _require_own_record(actor, assessment)
    current = _locked(assessment)
    if current.status not in EDITABLE_STATUSES:
        raise _status_error(current, _("只有草稿或被退回的评估可以提交"))
    version, policy, settings = _scoring_inputs(current)
    try:
        result = scoring.score(current.scale, current.answers, policy=policy, settings=settings)
    except scoring.InvalidAnswers as exc:
        raise ValidationFailed(
            _("评估未完成或答案有误，不能提交"), errors=[_answers_field(e) for e in exc.errors]
        ) from exc
    current.result = result.as_dict()
    current.total = result.total
    current.level = result.level
    current.level_name = result.level_name
    current.level_code = result.level_code
    current.verified = result.verified
    current.policy = version
    current.scoring_settings = dict(result.settings)
    current.scale_version = scoring.scale_fingerprint(current.scale)
    current.valid_until = valid_until_for(current.scale, current.assessed_on)
    current.submitted_at = timezone.now()
    current.status = AssessmentStatus.SUBMITTED
    current.reviewer = None
    current.assessor_snapshot = _signer(actor)
    current.reviewer_snapshot = {}
    current.save(
        update_fields=[
            "result", "total", "level", "level_name", "level_code", "verified", "policy", "scoring_settings",
            "scale_version", "valid_until", "submitted_at", "status", "reviewer", "assessor_snapshot",
            "reviewer_snapshot", "updated_at",
        ]
    )  # fmt: skip
    _audit(actor, current, AuditAction.CHANGE, "提交能力评估待审核", ["status", "result", "level"])
    return current


@transaction.atomic
def assessment_confirm(*, actor: AnyUser, assessment: Assessment) -> Assessment:
    """Confirm a submitted assessment: from now on it is final and never changed.

    Only a reviewer holding `assessments.review` whose reach includes the elder (the same
    jurisdiction; NotFound otherwise) and who is not the record's assessor (Forbidden) may confirm.
    The status changes only from `submitted` (a concurrent confirm or return wins once). Audited.
    """
    _require_record_in_reach(actor, assessment)
    _require_reviewer(actor, assessment)
    now = timezone.now()
    updated = Assessment.objects.filter(pk=assessment.pk, status=AssessmentStatus.SUBMITTED).update(
        status=AssessmentStatus.CONFIRMED,
        reviewer=actor,
        reviewer_snapshot=_signer(actor),
        confirmed_at=now,
        updated_at=now,
    )
    current = Assessment.objects.select_related("elder").get(pk=assessment.pk)
    if not updated:
        raise _status_error(current, _("只有待审核的评估可以确认"))
    _audit(actor, current, AuditAction.CHANGE, "确认能力评估结果", ["status", "reviewer"])
    return current


@transaction.atomic
def assessment_return(*, actor: AnyUser, assessment: Assessment, reason: str) -> Assessment:
    """Return a submitted assessment to its assessor with a reason (required, at most 2000 chars).

    Same reviewer rules as confirming. The assessor may then change and submit it again. Audited
    (the reason itself is not copied into the audit log).
    """
    _require_record_in_reach(actor, assessment)
    _require_reviewer(actor, assessment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("退回原因不能为空"), "required")
    if len(reason) > NOTE_MAX:
        raise ValidationFailed.single("reason", _("退回原因不能超过%(n)s个字符") % {"n": NOTE_MAX}, "max_length")
    now = timezone.now()
    updated = Assessment.objects.filter(pk=assessment.pk, status=AssessmentStatus.SUBMITTED).update(
        status=AssessmentStatus.RETURNED,
        reviewer=actor,
        reviewer_snapshot=_signer(actor),
        returned_reason=reason,
        returned_at=now,
        updated_at=now,
    )
    current = Assessment.objects.select_related("elder").get(pk=assessment.pk)
    if not updated:
        raise _status_error(current, _("只有待审核的评估可以退回"))
    _audit(actor, current, AuditAction.CHANGE, "退回能力评估", ["status", "returned_reason"])
    return current


@transaction.atomic
def assessment_correct(*, actor: AnyUser, assessment: Assessment, note: str) -> Assessment:
    """Start a correction of a confirmed assessment: a new draft, by the actor, that supersedes it.

    The confirmed record itself is not touched. The draft copies the scale, reason, date and
    answers; `note` (why it is corrected) is required. A record can be superseded once (a second
    correction corrects the correcting record). The actor must be a qualified assessor with the
    elder in reach. Once the correction is confirmed it replaces the old record as current.
    """
    _require_record_in_reach(actor, assessment)
    require_qualified_assessor(actor)
    original = Assessment.objects.select_related("elder").get(pk=assessment.pk)
    errors = ErrorCollector()
    if original.status != AssessmentStatus.CONFIRMED:
        errors.add("status", _("只有已确认的评估需要更正；草稿和被退回的评估可直接修改"), "invalid_status")
    if Assessment.objects.filter(supersedes=original).exists():
        errors.add("supersedes", _("该评估已有更正记录"), "already_superseded")
    note = (note or "").strip()
    if not note:
        errors.add("note", _("请填写更正原因"), "required")
    elif len(note) > NOTE_MAX:
        errors.add("note", _("备注不能超过%(n)s个字符") % {"n": NOTE_MAX}, "max_length")
    errors.raise_if_any(_("不能更正该评估"))
    assert isinstance(actor, User)
    try:
        with transaction.atomic():
            correction = Assessment.objects.create(
                elder=original.elder,
                scale=original.scale,
                family=original.family,
                scale_version=scoring.scale_fingerprint(original.scale),
                reason=original.reason,
                assessed_on=original.assessed_on,
                assessor=actor,
                answers=dict(original.answers),
                supersedes=original,
                note=note,
            )
    except IntegrityError:
        # A concurrent correction of the same record won; the one-to-one column decides.
        raise ValidationFailed.single("supersedes", _("该评估已有更正记录"), "already_superseded") from None
    _audit(actor, correction, AuditAction.CREATE, f"更正能力评估（被更正记录 {original.public_id}）", ["supersedes"])
    return correction


def assessment_record_view(*, actor: AnyUser, assessment: Assessment, full_identifiers: bool = False) -> None:
    """Audit that `actor` opened the assessment (answers and result, and the elder's national ID in
    full when `full_identifiers`: the page shows what `accounts.disclosure` gives the viewer)."""
    if full_identifiers:
        _audit(
            actor, assessment, AuditAction.VIEW, "查看能力评估（含完整身份证号）", ["answers", "result", "national_id"]
        )
    else:
        _audit(actor, assessment, AuditAction.VIEW, "查看能力评估", ["answers", "result"])


def assessment_score_preview(*, actor: AnyUser, scale: str, answers: Any, district_id: int | None) -> Any:
    """Score answers without saving anything (the form's live preview), with the policy in force
    today for `district_id`. Needs `assessments.create`. Raises UnknownScale or InvalidAnswers
    listing every bad or missing item; returns the ScaleResult."""
    require_perm(actor, Perm.ASSESSMENTS_CREATE)
    if scale not in scoring.SCALE_CODES:
        raise ValidationFailed.single("scale", _("未知的评估量表“%(code)s”") % {"code": scale}, "unknown_scale")
    if not isinstance(answers, Mapping):
        raise ValidationFailed.single("answers", _("评估答案应为对象（题目代码 → 得分）"), "invalid")
    version = policy_version_current(scale=scale, district_id=district_id, on=timezone.localdate())
    try:
        return scoring.score_in_active_language(
            scale,
            answers,
            policy=(version.data or None) if version else None,
            settings=(version.scoring_settings or None) if version else None,
        )
    except scoring.InvalidAnswers as exc:
        raise ValidationFailed(_("评估答案有误或未完成"), errors=[_answers_field(e) for e in exc.errors]) from exc
