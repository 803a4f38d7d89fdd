"""Unified social credit codes (统一社会信用代码) of GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z); the
last is a MOD 31 check character over the first seventeen.
"""

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """A sentence fit to show the user when `value` is not a valid code; None when it is (or empty)."""
    if not value:
        return None
    if len(value) != 18 or any(c not in ALPHABET for c in value):
        return _("统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）")
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        return _("统一社会信用代码校验码错误：末位应为%(expected)s，实为%(actual)s") % {
            "expected": expected,
            "actual": value[17],
        }
    return None


def make_credit_code(first17: str) -> str:
    """Complete seventeen characters with their check character (for synthetic data and tests)."""
    return first17 + credit_code_check_char(first17)
