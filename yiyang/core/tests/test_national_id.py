from datetime import date

import pytest

from yiyang.core.national_id import InvalidNationalId, check_char, make_national_id, parse_national_id

TODAY = date(2026, 11, 22)


def test_the_standards_own_example_parses():
    # GB 11643-1999 gives 11010519491231002X as its worked example.
    facts = parse_national_id("11010519491231002x", today=TODAY)
    assert facts.number == "11010519491231002X"
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex == "F"
    assert facts.area_code == "110105"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("35020619500101001", check_char("35020619500101001")),
        ("44030419800101123", check_char("44030419800101123")),
    ],
)
def test_check_char_is_iso7064_mod_11_2(first17, expected):
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    remainder = sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11
    assert "10X98765432"[remainder] == expected == check_char(first17)


@pytest.mark.parametrize(
    ("raw", "reason_fragment"),
    [
        ("1101051949123100", "应为18位"),
        ("110105194912310022X", "应为18位"),
        ("11010519491231002Y", "末位为数字或X"),
        ("1101051949123A002X", "前17位应为数字"),
        ("99010519491231002X", "不是有效的行政区划代码"),
        ("110105194902300020", "不是有效日期"),
        ("110105202701010020", "不在合理范围内"),
        ("110105188001010020", "不在合理范围内"),
        ("110105194912310021", "校验码错误：末位应为X，实为1"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(raw, reason_fragment):
    with pytest.raises(InvalidNationalId) as exc:
        parse_national_id(raw, today=TODAY)
    assert reason_fragment in str(exc.value)


@pytest.mark.parametrize(("sequence", "sex"), [(1, "M"), (2, "F"), (999, "M"), (100, "F")])
def test_sex_follows_the_parity_of_the_sequence(sequence, sex):
    number = make_national_id("350206", date(1950, 5, 6), sequence)
    facts = parse_national_id(number, today=TODAY)
    assert (facts.sex, facts.birth_date) == (sex, date(1950, 5, 6))
