"""GB 11643-1999 citizen identity numbers: check digit, birth date and sex.

An 18-character number is: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence
(odd for men, even for women), and a check character computed by ISO 7064 MOD 11-2.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits of the address code).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
EARLIEST_BIRTH = date(1890, 1, 1)


class InvalidNationalId(ValueError):
    """The reason is a sentence fit to show the user."""


@dataclass(frozen=True)
class NationalIdFacts:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    area_code: str


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def parse_national_id(raw: str, *, today: date | None = None) -> NationalIdFacts:
    """Validate an 18-character ID and derive birth date and sex; raise InvalidNationalId otherwise."""
    number = normalize(raw)
    if len(number) != 18:
        raise InvalidNationalId(_("身份证号应为18位，实为%(length)s位") % {"length": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidNationalId(_("身份证号前17位应为数字，末位为数字或X"))
    if number[:2] not in PROVINCE_CODES:
        raise InvalidNationalId(_("身份证号地址码%(code)s不是有效的行政区划代码") % {"code": number[:6]})
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidNationalId(_("身份证号中的出生日期%(date)s不是有效日期") % {"date": number[6:14]}) from None
    if birth < EARLIEST_BIRTH or birth > (today or date.today()):  # noqa: DTZ011
        raise InvalidNationalId(_("身份证号中的出生日期%(date)s不在合理范围内") % {"date": birth.isoformat()})
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidNationalId(
            _("身份证号校验码错误：末位应为%(expected)s，实为%(actual)s") % {"expected": expected, "actual": number[17]}
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return NationalIdFacts(number=number, birth_date=birth, sex=sex, area_code=number[:6])


def make_national_id(area_code: str, birth: date, sequence: int) -> str:
    """Build a valid number (for synthetic demo data); `sequence` 0–999, odd for men."""
    first17 = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
