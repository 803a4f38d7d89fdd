"""Writes of the assessments app, re-exported: the record life cycle, policy versions and reports."""

from yiyang.assessments.services.policy import (
    PolicyDocument,
    policy_document_parse,
    policy_version_load,
    policy_version_require_loader,
)
from yiyang.assessments.services.records import (
    assessment_confirm,
    assessment_correct,
    assessment_draft_create,
    assessment_draft_update,
    assessment_record_view,
    assessment_return,
    assessment_score_preview,
    assessment_submit,
    is_qualified_assessor,
    require_qualified_assessor,
)
from yiyang.assessments.services.reports import assessment_report_export, report_filename
from yiyang.assessments.services.seeding import assessment_seed_confirmed

__all__ = [
    "PolicyDocument",
    "assessment_confirm",
    "assessment_correct",
    "assessment_draft_create",
    "assessment_draft_update",
    "assessment_record_view",
    "assessment_report_export",
    "assessment_return",
    "assessment_score_preview",
    "assessment_seed_confirmed",
    "assessment_submit",
    "is_qualified_assessor",
    "policy_document_parse",
    "policy_version_load",
    "policy_version_require_loader",
    "report_filename",
    "require_qualified_assessor",
]
