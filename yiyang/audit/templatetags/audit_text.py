"""Template filters for showing audit events in the reader's language."""

from django import template

from yiyang.audit.entity_types import entity_type_label
from yiyang.audit.summaries import summary_shown

register = template.Library()


@register.filter
def audit_summary(summary: str) -> str:
    """The stored summary in the active language where its wording is known (`summary_shown`)."""
    return summary_shown(summary)


@register.filter
def audit_entity_type(entity_type: str) -> str:
    """The stored entity type's name in the active language (`entity_type_label`); unknown ones as stored."""
    return entity_type_label(entity_type)
