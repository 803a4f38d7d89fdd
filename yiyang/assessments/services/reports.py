"""The family's printable report: produced from a record with a result, and every export audited."""

from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser
from yiyang.assessments.errors import AssessmentNotFound
from yiyang.assessments.models import Assessment
from yiyang.assessments.report import assessment_report_pdf
from yiyang.assessments.selectors import assessments_in_reach
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ValidationFailed


def assessment_report_export(*, actor: AnyUser, assessment: Assessment) -> bytes:
    """The PDF report of an assessment already accessed by `actor` (its elder must be in reach).

    Only a record with a computed result (submitted or confirmed) has a report (ValidationFailed on
    `status` otherwise). The national ID appears masked. The export is audited.
    """
    if not assessments_in_reach(user=actor).filter(pk=assessment.pk).exists():
        raise AssessmentNotFound
    if assessment.result is None:
        raise ValidationFailed.single("status", _("评估尚未提交，还没有结果可以打印"), "no_result")
    content = assessment_report_pdf(assessment, generated_on=timezone.localdate())
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity_type="assessment",
        entity_id=str(assessment.public_id),
        summary="导出能力评估报告（PDF，身份证号脱敏）",
        fields=["result"],
        district=assessment.elder.district_id,
    )
    return content


def report_filename(assessment: Assessment) -> str:
    return f"assessment-{assessment.assessed_on:%Y%m%d}-{str(assessment.public_id)[:8]}.pdf"
