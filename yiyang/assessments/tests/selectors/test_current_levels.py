"""The elder's current level: the newest confirmed record of the family that is still valid."""

from datetime import date

import pytest

from yiyang.assessments.selectors import elder_current_levels
from yiyang.assessments.services.seeding import answers_for_totals
from yiyang.assessments.tests.support import LTC, confirmed, days_ago, gbt_answers, ltc_answers, submitted

pytestmark = pytest.mark.django_db


def test_no_records_no_levels(world):
    levels = elder_current_levels(elder=world.elders["elder0"])
    assert levels.has_any is False
    assert (levels.ability.current, levels.ability.lapsed, levels.ability.history) == (None, None, [])


def test_current_level_and_grade_come_from_the_latest_confirmed_valid_records(world):
    # given
    older = confirmed(world, answers=gbt_answers(0), assessed_on=days_ago(200))
    newer = confirmed(world, answers=gbt_answers(2), assessed_on=days_ago(20))
    grade = confirmed(world, scale=LTC, answers=ltc_answers(5), assessed_on=days_ago(10))
    submitted(world, answers=gbt_answers(4), assessed_on=days_ago(1))  # not yet confirmed: does not count
    # when
    levels = elder_current_levels(elder=world.elders["elder0"])
    # then
    assert levels.ability.current == newer
    assert levels.ability.current.level_name == "能力中度受损（中度失能）"
    assert [a.pk for a in levels.ability.history] == [newer.pk, older.pk]
    assert levels.long_term_care.current == grade
    assert levels.long_term_care.current.level_name == "重度失能Ⅲ级"
    assert levels.others == []


def test_an_expired_record_no_longer_counts(world):
    # given: assessed 13 months ago, valid for 12
    record = confirmed(world, answers=gbt_answers(3), assessed_on=days_ago(400))
    # when
    levels = elder_current_levels(elder=world.elders["elder0"])
    # then
    assert levels.ability.current is None
    assert levels.ability.lapsed == record
    assert levels.ability.history == [record]


def test_validity_ends_at_the_end_of_valid_until(world):
    record = confirmed(world, assessed_on=date(2025, 3, 1))
    assert record.valid_until == date(2026, 2, 28)
    on_last_day = elder_current_levels(elder=world.elders["elder0"], today=date(2026, 2, 28))
    day_after = elder_current_levels(elder=world.elders["elder0"], today=date(2026, 3, 1))
    assert on_last_day.ability.current == record
    assert day_after.ability.current is None and day_after.ability.lapsed == record


def test_a_newer_record_that_lapsed_hides_an_older_valid_one_of_the_family(world):
    # given: a legacy MZ/T 039 record would still be valid, but a newer GB/T 42195 record lapsed
    legacy = answers_for_totals("mzt039-2013", {"B.1": 100, "B.2": 0, "B.3": 0, "B.4": 0}, {})
    older = confirmed(world, scale="mzt039-2013", answers=legacy, assessed_on=days_ago(390))
    older_record = type(older).objects.get(pk=older.pk)
    type(older).objects.filter(pk=older.pk).update(valid_until=days_ago(-30))  # a longer local validity
    newest = confirmed(world, answers=gbt_answers(1), assessed_on=days_ago(380))
    # when
    levels = elder_current_levels(elder=world.elders["elder0"])
    # then
    assert levels.ability.current is None
    assert levels.ability.lapsed == newest
    assert [a.pk for a in levels.ability.history] == [newest.pk, older_record.pk]


def test_other_scales_are_listed_separately(world):
    answers = answers_for_totals("barthel", {"adl": 60}, {})
    record = confirmed(world, scale="barthel", answers=answers, assessed_on=days_ago(5))
    levels = elder_current_levels(elder=world.elders["elder0"])
    assert record.family == "barthel"
    assert levels.others == [record]
    assert levels.ability.current is None
    assert levels.has_any is True
