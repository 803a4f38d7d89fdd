"""ICD-10 codes as the level-change rules need them: validation, normalisation and category ranges.

A code is a letter, two digits, and optionally a dot with up to ten letters/digits (the Chinese clinical
edition writes `F03.x00x001`), optionally followed by a dagger/asterisk mark (`F00.0*`). Rules compare
the three-character category only, so `F03.9` and `F03.x00` both fall in F00–F03.
"""

import re

_CODE = re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,10})?[*†+]?$")
_CATEGORY = re.compile(r"^[A-Z][0-9]{2}$")


def normalise(code: str) -> str:
    """Upper-case and strip a code; does not validate it."""
    return code.strip().upper()


def is_code(code: str) -> bool:
    """True for a syntactically valid ICD-10 code after normalisation."""
    return bool(_CODE.match(normalise(code)))


def is_category(code: str) -> bool:
    """True for a bare three-character category such as `F00`, used as a range bound."""
    return bool(_CATEGORY.match(code))


def category(code: str) -> str:
    """The three-character category of a valid code: `F03.9` -> `F03`."""
    return normalise(code)[:3]


def in_range(code: str, first: str, last: str) -> bool:
    """True when the code's category lies in [first, last] (same letter, number between)."""
    cat = category(code)
    return cat[0] == first[0] == last[0] and int(first[1:]) <= int(cat[1:]) <= int(last[1:])
