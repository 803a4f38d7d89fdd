"""Template filters for alert pages in the reader's language."""

from typing import Any

from django import template

from yiyang.alerts.policy import step_label as policy_step_label

register = template.Library()


@register.filter
def step_label(step: dict[str, Any]) -> str:
    """An escalation step of an alert's fixed policy in the active language (`policy.step_label`)."""
    return policy_step_label(step)
