"""Turning rule values and documents into text for the pages."""

import json
from typing import Any

from yiyang.monitoring.selectors import RuleRow


def show(value: Any) -> str:
    """A rule value as written in a rules document: 131, true, "07:00" as 07:00, lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False)


def document_text(document: Any) -> str:
    """An override document for the editor ("" for none)."""
    if not document:
        return ""
    return json.dumps(document, ensure_ascii=False, indent=2)


def display_rows(rows: list[RuleRow]) -> list[dict[str, Any]]:
    """Rows with their values already put into words, for the templates."""
    return [
        {
            "row": row,
            "values": [
                {
                    "name": value.name,
                    "default": show(value.default),
                    "overridden": value.overridden,
                    "override": show(value.override) if value.overridden else "",
                    "effective": show(value.effective),
                    "changed": value.effective != value.default,
                }
                for value in row.values
            ],
        }
        for row in rows
    ]
