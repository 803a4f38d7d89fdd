"""Masks for sensitive personal information shown in lists (PIPL)."""


def mask_national_id(value: str) -> str:
    """`350206195001011234` -> `3502**********1234` (first 4 and last 4 kept)."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """`13812345678` -> `138****5678`; other lengths keep the first 3 and last 4 when possible."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """`张三丰` -> `张*丰`, `张三` -> `张*`; used where a name leaves the system (exports for the public)."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_bank_account(value: str) -> str:
    """`6222020000000001` -> `6222********0001` (first 4 and last 4 kept); short values all masked."""
    digits = "".join(value.split())
    if not digits:
        return ""
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
