"""Content rules for text people type: names that can be read, printed and searched.

A name (of an elder, a home member, an emergency contact, an organisation, an account) is
normalised the same way everywhere: Unicode NFC, every run of white space (tabs, newlines, full-width
spaces) made one ordinary space, stripped. It is refused if nothing is left, or if it holds a
character that cannot be seen or printed: control (Cc), format (Cf: zero-width spaces and joiners,
direction overrides), line/paragraph separators (Zl, Zp), private-use (Co), surrogates (Cs) and
unassigned code points (Cn). Such characters make two names look alike and one of them unsearchable.
"""

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from yiyang.core.errors import ErrorCollector

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def normalise_name(value: str | None) -> str:
    """NFC, white space runs collapsed to one space, stripped (the stored form of a name)."""
    text = unicodedata.normalize("NFC", value or "")
    return " ".join(text.split())


def name_problem(value: str | None, *, max_length: int | None = None) -> tuple[str, str] | None:
    """(reason, code) if `value` is not a printable name after normalising, else None."""
    name = normalise_name(value)
    if not name:
        return _("不能为空"), "required"
    for char in name:
        if unicodedata.category(char) in INVISIBLE_CATEGORIES:
            reason = _("含有不可见或无法显示的字符（U+%(code)04X）") % {"code": ord(char)}
            return reason, "unprintable"
    if max_length is not None and len(name) > max_length:
        return _("不能超过%(limit)s个字符") % {"limit": max_length}, "max_length"
    return None


def check_name(
    errors: ErrorCollector,
    field_name: str,
    value: str | None,
    *,
    max_length: int | None = None,
    row: int | None = None,
    label: str = "",
) -> None:
    """Add the name's problem (if any) to `errors` under `field_name`; `label` prefixes the reason."""
    problem = name_problem(value, max_length=max_length)
    if problem is not None:
        reason, code = problem
        errors.add(field_name, f"{label}{reason}" if label else reason, code, row)


def in_language(chinese: str, english: str | None) -> str:
    """The text to show in the active language, for data that carries its own English beside the
    Chinese (policy and scale files, rule texts): `english` when the active language is English and
    an English text exists, else `chinese`. The Chinese stays the source; the English is a reading aid."""
    from django.utils.translation import get_language

    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


def localised(data: Any, key: str) -> str:
    """`in_language` for a mapping or object holding `key` and, optionally, `<key>_en` beside it."""
    if isinstance(data, Mapping):
        chinese, english = data.get(key), data.get(f"{key}_en")
    else:
        chinese, english = getattr(data, key, None), getattr(data, f"{key}_en", None)
    return in_language("" if chinese is None else str(chinese), None if english is None else str(english))
