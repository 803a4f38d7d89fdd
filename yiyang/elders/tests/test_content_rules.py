"""Content rules at registration: printable names, the legal minimum age, bounded notes."""

from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.core.testing import national_id
from yiyang.core.text import name_problem, normalise_name
from yiyang.elders.eligibility import elder_min_age, eligibility_policy
from yiyang.elders.models import Elder
from yiyang.elders.selectors import age_on

pytestmark = pytest.mark.django_db
URL = "/api/v1/elders/"


def register(world, **extra):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    body = {"name": "王秀英", "national_id": national_id(701), "community": str(world.communities[0][0].public_id)}
    return client.post(URL, {**body, **extra}, format="json")


def fields(response):
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "name",
    ["\u200b\u200b\u200b", "王\u200b秀英", "\u202e英秀王", "王\x00秀英", "王\ue000", "   ", "\u2028"],
)
def test_a_name_of_or_with_invisible_characters_is_refused(world, name):
    response = register(world, name=name)
    assert response.status_code == 400
    assert fields(response)[0][0] == "name"
    assert fields(response)[0][1] in {"unprintable", "required", "blank", "null_characters_not_allowed"}
    assert not Elder.objects.filter(national_id=national_id(701)).exists()


def test_white_space_in_a_name_is_normalised(world):
    response = register(world, name="  欧阳\t\u3000 秀英 ", emergency_contacts=[
        {"name": " 王\u3000强 ", "relation": "儿子", "phone": "13800001111"}
    ])  # fmt: skip
    assert response.status_code == 201, response.json()
    elder = Elder.objects.get(national_id=national_id(701))
    assert elder.name == "欧阳 秀英"
    assert elder.emergency_contacts.get().name == "王 强"


def test_an_emergency_contact_name_with_a_control_character_names_the_contact(world):
    response = register(world, emergency_contacts=[{"name": "王\x07强", "relation": "儿子", "phone": "13800001111"}])
    assert fields(response) == [("emergency_contacts[0].name", "unprintable")]


def test_a_16_year_old_is_not_an_elder(world):
    today = timezone.localdate()
    young = national_id(703, birth=date(today.year - 16, 1, 1))
    response = register(world, national_id=young)
    assert response.status_code == 400
    assert fields(response) == [("national_id", "under_min_age")]
    assert "60" in response.json()["errors"][0]["reason"]
    assert response.json()["errors"][0]["reason"].endswith("（老年人是指60周岁以上的公民）")
    assert not Elder.objects.filter(national_id=young).exists()


def test_the_minimum_age_is_reached_on_the_60th_birthday(world):
    today = timezone.localdate()
    birthday = (
        today.replace(year=today.year - 60) if (today.month, today.day) != (2, 29) else date(today.year - 60, 3, 1)
    )
    assert register(world, national_id=national_id(705, birth=birthday)).status_code == 201
    day_before = national_id(707, birth=date.fromordinal(birthday.toordinal() + 1))
    assert fields(register(world, national_id=day_before)) == [("national_id", "under_min_age")]


def test_the_minimum_age_comes_from_the_law_and_a_setting_overrides_it(world, settings):
    policy = eligibility_policy()
    assert (policy.min_age_years, policy.verified) == (60, True)
    assert "老年人权益保障法" in policy.source and "第二条" in policy.source
    assert elder_min_age() == 60
    settings.YIYANG_ELDER_MIN_AGE = 55
    fifty_seven = national_id(709, birth=date(timezone.localdate().year - 58, 1, 1))
    assert register(world, national_id=fifty_seven).status_code == 201
    # A deployment's own minimum is not put in the law's words.
    fifty_three = national_id(711, birth=date(timezone.localdate().year - 54, 1, 1))
    [error] = register(world, national_id=fifty_three).json()["errors"]
    assert error["reason"] == "按身份证号的出生日期未满55周岁，不属于登记对象（本地登记标准为55周岁以上）"


def test_a_1mb_notes_is_refused_naming_notes(world):
    response = register(world, notes="备" * (1024 * 1024 // 3))
    assert response.status_code == 400
    assert ("notes", "max_length") in fields(response)
    assert not Elder.objects.filter(national_id=national_id(701)).exists()


def test_notes_at_the_limit_are_kept(world, settings):
    settings.YIYANG_MAX_TEXT_CHARS = 50
    assert fields(register(world, notes="x" * 51)) == [("notes", "max_length")]
    assert register(world, notes="x" * 50).status_code == 201


def test_age_is_counted_in_full_years():
    assert age_on(date(1960, 5, 10), date(2020, 5, 9)) == 59
    assert age_on(date(1960, 5, 10), date(2020, 5, 10)) == 60
    assert age_on(date(1960, 2, 29), date(2020, 2, 28)) == 59


def test_the_core_name_rule():
    assert normalise_name(" a \n b ") == "a b"
    assert name_problem("欧阳·娜娜") is None
    assert name_problem("Anne-Marie O'Neil") is None
    assert name_problem("a\u200db") is not None
    assert name_problem("x" * 101, max_length=100)[1] == "max_length"
