"""`{% load numbers %}{{ n|grouped }}`: counts with thousands separators in every language.

Django's Chinese number format has no thousands separator (it groups by 4 with an empty separator),
and turning on USE_THOUSAND_SEPARATOR would also group ids in URLs and attributes. Counts shown to
people go through this filter instead: 20,000 in Chinese as in English.
"""

from typing import Any

from django import template

register = template.Library()


@register.filter
def grouped(value: Any) -> str:
    """An integer with a comma every three digits ("19,778"); anything that is not a number unchanged
    (as text), None as "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}"
