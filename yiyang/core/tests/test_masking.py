import pytest

from yiyang.core.masking import mask_name, mask_national_id, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("350206195001011234", "3502**********1234"),
        ("11010519491231002X", "1101**********002X"),
        ("", ""),
        ("1234", "****"),
    ],
)
def test_national_id_keeps_first_and_last_four(value, masked):
    assert mask_national_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("0592-1234567", "059*****4567"), ("", ""), ("12345", "1****")],
)
def test_phone_keeps_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("张三丰", "张*丰"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("张", "张")]
)
def test_name_mask(value, masked):
    assert mask_name(value) == masked


def test_bank_account_keeps_first_and_last_four():
    from yiyang.core.masking import mask_bank_account

    assert mask_bank_account("6222020200112233445") == "6222***********3445"
    assert mask_bank_account("12345678") == "****5678"
    assert mask_bank_account("") == ""
