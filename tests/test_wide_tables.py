"""Every table of the web UI sits in a `.table-responsive` wrapper, so a table wider than the screen
(the audit log's request column, the staff list in English at 1,280 px, any list on a 390 px phone)
scrolls inside its box and the page itself never scrolls sideways."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "yiyang"
TEMPLATES = sorted(p for p in ROOT.glob("**/templates/**/*.html") if "<table" in p.read_text(encoding="utf-8"))


def unwrapped_tables(text: str) -> list[int]:
    """Line numbers of `<table` tags not inside an open `table-responsive` element: the nearest
    `table-responsive` before the table must not have been closed (`</div>`) in between."""
    lines = []
    for match in re.finditer(r"<table\b", text):
        before = text[: match.start()]
        wrapper = before.rfind("table-responsive")
        if wrapper == -1 or "</div>" in before[wrapper:] or "</table>" in before[wrapper:]:
            lines.append(before.count("\n") + 1)
    return lines


def test_there_are_tables_to_check():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_table_scrolls_in_its_own_box(template):
    assert unwrapped_tables(template.read_text(encoding="utf-8")) == []


def test_the_audit_request_column_is_shortened_with_the_full_path_in_its_title():
    text = (ROOT / "audit/templates/audit/list.html").read_text(encoding="utf-8")
    assert 'title="{{ event.path }}">{{ event.method }} {{ event.path|truncatechars:48 }}' in text
