"""Template filters for showing audit events in the reader's language."""

from django import template

from yiyang.audit.summaries import summary_shown

register = template.Library()


@register.filter
def audit_summary(summary: str) -> str:
    """The stored summary in the active language where its wording is known (`summary_shown`)."""
    return summary_shown(summary)
