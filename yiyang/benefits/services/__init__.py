"""Writes of the benefits app, re-exported: the application workflow."""

from yiyang.benefits.services.applications import (
    APPLICATION,
    ATTACHMENT,
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
    example_values_refusal,
    is_licensed_institution,
    sniff_content_type,
)

__all__ = [
    "APPLICATION",
    "ATTACHMENT",
    "ENTITLEMENT",
    "ApplicationInput",
    "application_decide",
    "application_record_view",
    "application_street_review",
    "application_submit",
    "application_withdraw",
    "attachment_add",
    "attachment_read",
    "entitlement_end",
    "entitlement_record_view",
    "example_values_refusal",
    "is_licensed_institution",
    "sniff_content_type",
]
