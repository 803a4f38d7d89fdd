"""Dated changes of an elder's facts: `elder_fact_change` (backdated or not) and the rows `elder_update`
writes when the form changes economic status or household registration (effective today)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.elders.models import ElderFactChange
from yiyang.elders.services import elder_fact_change, elder_update
from yiyang.elders.services.facts import BACKDATE_LIMIT_DAYS

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def change(world, username="street0", elder="elder0", **kwargs):
    values = {"field": "economic_status", "new_value": "dibao", "effective_on": date(2026, 11, 1), "today": TODAY}
    values.update(kwargs)
    return elder_fact_change(actor=world.users[username], elder=world.elders[elder], **values)


def codes(exc):
    return [(e.field, e.code) for e in exc.value.errors]


def change_events(elder):
    return list(AuditEvent.objects.filter(action="change", entity_id=str(elder.public_id)))


def test_a_backdated_change_is_appended_and_the_elder_takes_the_new_value(world):
    elder = world.elders["elder0"]
    before = timezone.now()

    row = change(world, basis="  民政局低保审批决定 2026-11 号  ")

    stored = ElderFactChange.objects.get()
    assert stored.pk == row.pk
    assert (stored.elder_id, stored.field, stored.old_value, stored.new_value) == (
        elder.pk,
        "economic_status",
        "ordinary",
        "dibao",
    )
    assert stored.effective_on == date(2026, 11, 1)
    assert stored.basis == "民政局低保审批决定 2026-11 号"
    assert stored.recorded_by == world.users["street0"]
    assert before <= stored.recorded_at <= timezone.now()
    elder.refresh_from_db()
    assert elder.economic_status == "dibao"


def test_the_change_is_audited_with_field_names_not_values(world):
    elder = world.elders["elder0"]
    change(world, basis="审批决定")

    [event] = change_events(elder)
    assert (event.actor, event.entity_type, event.summary, event.district_id) == (
        world.users["street0"],
        "elder",
        "登记老年人状况变更",
        world.district.pk,
    )
    assert event.fields == ["economic_status", "effective_on"]
    assert "dibao" not in event.summary and "审批决定" not in event.summary


@pytest.mark.parametrize(
    ("field", "new_value", "old_value"),
    [
        ("household_registration", "resident", "registered"),
        ("status", "deceased", "active"),
        ("status", "moved_out", "active"),
    ],
)
def test_registration_and_roll_status_are_dated_facts_too(world, field, new_value, old_value):
    elder = world.elders["elder0"]
    change(world, field=field, new_value=new_value, effective_on=TODAY)

    stored = ElderFactChange.objects.get()
    assert (stored.field, stored.old_value, stored.new_value, stored.effective_on) == (
        field,
        old_value,
        new_value,
        TODAY,
    )
    elder.refresh_from_db()
    assert getattr(elder, field) == new_value


def test_back_on_the_roll_after_moving_out(world):
    elder = world.elders["elder0"]
    change(world, field="status", new_value="moved_out", effective_on=date(2026, 10, 1))
    change(world, field="status", new_value="active", effective_on=date(2026, 11, 15))

    rows = list(ElderFactChange.objects.values_list("old_value", "new_value", "effective_on"))
    assert rows == [("active", "moved_out", date(2026, 10, 1)), ("moved_out", "active", date(2026, 11, 15))]
    elder.refresh_from_db()
    assert elder.status == "active"


def test_today_is_accepted_and_tomorrow_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        change(world, effective_on=TODAY + timedelta(days=1))
    assert codes(exc) == [("effective_on", "future")]
    assert exc.value.errors[0].reason == "生效日期不能晚于今天"
    assert ElderFactChange.objects.count() == 0

    change(world, effective_on=TODAY)
    assert ElderFactChange.objects.count() == 1


def test_about_three_years_back_is_the_limit(world):
    assert BACKDATE_LIMIT_DAYS == 1098
    with pytest.raises(ValidationFailed) as exc:
        change(world, effective_on=TODAY - timedelta(days=1099))
    assert codes(exc) == [("effective_on", "too_old")]
    assert exc.value.errors[0].reason == "生效日期不能早于三年前"
    assert ElderFactChange.objects.count() == 0

    row = change(world, effective_on=TODAY - timedelta(days=1098))
    assert row.effective_on == date(2023, 12, 1)


def test_a_typo_year_is_refused_not_recorded(world):
    with pytest.raises(ValidationFailed) as exc:
        change(world, effective_on=date(1026, 11, 1))
    assert codes(exc) == [("effective_on", "too_old")]


def test_the_value_the_elder_already_has_is_refused_as_no_change(world):
    elder = world.elders["elder0"]
    with pytest.raises(ValidationFailed) as exc:
        change(world, new_value="ordinary")
    assert codes(exc) == [("new_value", "unchanged")]
    assert exc.value.errors[0].reason == "与当前状况相同，无需变更"
    assert ElderFactChange.objects.count() == 0
    assert change_events(elder) == []


@pytest.mark.parametrize(
    ("field", "new_value", "expected"),
    [
        ("economic_status", "rich", [("new_value", "invalid_choice")]),
        ("status", "dibao", [("new_value", "invalid_choice")]),
        ("household_registration", "", [("new_value", "invalid_choice")]),
        ("name", "张三", [("field", "invalid_choice")]),
        ("living_arrangement", "alone", [("field", "invalid_choice")]),
    ],
)
def test_a_field_or_value_outside_the_choices_is_refused(world, field, new_value, expected):
    elder = world.elders["elder0"]
    with pytest.raises(ValidationFailed) as exc:
        change(world, field=field, new_value=new_value)
    assert codes(exc) == expected
    assert ElderFactChange.objects.count() == 0
    elder.refresh_from_db()
    assert (elder.name, elder.economic_status, elder.status) == ("elder0老人", "ordinary", "active")


def test_every_problem_is_reported_at_once(world):
    with pytest.raises(ValidationFailed) as exc:
        change(world, new_value="rich", effective_on=TODAY + timedelta(days=3), basis="依" * 301)
    assert codes(exc) == [("new_value", "invalid_choice"), ("effective_on", "future"), ("basis", "max_length")]
    assert exc.value.message == "状况变更有误"
    assert ElderFactChange.objects.count() == 0


def test_a_basis_of_300_characters_is_accepted(world):
    row = change(world, basis="依" * 300)
    assert len(row.basis) == 300


def test_without_elders_change_nothing_is_written(world):
    elder = world.elders["elder0"]
    with pytest.raises(Forbidden):
        change(world, username="street0_readonly")
    assert ElderFactChange.objects.count() == 0
    assert change_events(elder) == []
    elder.refresh_from_db()
    assert elder.economic_status == "ordinary"


def replay(elder, field, day):
    """The fact on `day` by replaying the change rows as the payroll does (None before any row)."""
    value = None
    for row in ElderFactChange.objects.filter(elder=elder, field=field).order_by("effective_on", "recorded_at", "id"):
        if row.effective_on <= day:
            value = row.new_value
    return value


def test_a_backdated_correction_of_an_earlier_period_leaves_todays_value(world):
    elder = world.elders["elder0"]
    change(world, new_value="dibao", effective_on=date(2026, 11, 20))
    # Recorded later: the elder was 特困 from 1 October (until the 低保 decision of 20 November).
    row = change(world, new_value="tekun", effective_on=date(2026, 10, 1))

    assert (row.old_value, row.new_value) == ("ordinary", "tekun")  # the value on 1 October
    elder.refresh_from_db()
    assert elder.economic_status == "dibao"  # the 20 November change still rules today
    assert replay(elder, "economic_status", TODAY) == elder.economic_status
    assert replay(elder, "economic_status", date(2026, 10, 15)) == "tekun"
    assert len(change_events(elder)) == 2


def test_a_backdated_change_after_the_last_one_becomes_todays_value(world):
    elder = world.elders["elder0"]
    change(world, new_value="dibao", effective_on=date(2026, 9, 1))
    row = change(world, new_value="low_income", effective_on=date(2026, 11, 1))
    assert row.old_value == "dibao"
    elder.refresh_from_db()
    assert elder.economic_status == "low_income"


def test_no_change_is_judged_on_that_day_not_today(world):
    elder = world.elders["elder0"]
    change(world, new_value="dibao", effective_on=date(2026, 11, 20))
    # On 1 November the elder was still 普通: "普通 from 1 November" changes nothing then.
    with pytest.raises(ValidationFailed) as exc:
        change(world, new_value="ordinary", effective_on=date(2026, 11, 1))
    assert codes(exc) == [("new_value", "unchanged")]
    # "低保 from 1 November" (the decision backdated) is a change on that day, though 低保 is today's value.
    row = change(world, new_value="dibao", effective_on=date(2026, 11, 1))
    assert (row.old_value, row.new_value) == ("ordinary", "dibao")
    assert ElderFactChange.objects.count() == 2
    elder.refresh_from_db()
    assert elder.economic_status == "dibao"


def test_a_second_change_on_the_same_day_replaces_the_first_for_that_day(world):
    elder = world.elders["elder0"]
    change(world, field="status", new_value="moved_out", effective_on=date(2026, 11, 5))
    row = change(world, field="status", new_value="deceased", effective_on=date(2026, 11, 5))
    assert row.old_value == "moved_out"
    elder.refresh_from_db()
    assert elder.status == "deceased"
    assert replay(elder, "status", date(2026, 11, 5)) == "deceased"


# --- the edit form's changes (elder_update) -------------------------------------------------------------


def test_an_edit_of_economic_status_is_a_change_from_today(world):
    elder = world.elders["elder0"]
    before = timezone.now()

    elder_update(actor=world.users["street0"], elder=elder, changes={"economic_status": "tekun"})

    stored = ElderFactChange.objects.get()
    assert (stored.elder_id, stored.field, stored.old_value, stored.new_value) == (
        elder.pk,
        "economic_status",
        "ordinary",
        "tekun",
    )
    assert stored.effective_on == timezone.localdate()
    assert stored.recorded_by == world.users["street0"]
    assert stored.basis == ""
    assert before <= stored.recorded_at <= timezone.now()
    elder.refresh_from_db()
    assert elder.economic_status == "tekun"
    [event] = change_events(elder)
    assert event.fields == ["economic_status"]


def test_an_edit_of_both_dated_facts_writes_one_row_each(world):
    elder = world.elders["elder0"]
    elder_update(
        actor=world.users["street0"],
        elder=elder,
        changes={"household_registration": "resident", "economic_status": "low_income", "phone": "13900001111"},
    )
    rows = sorted(ElderFactChange.objects.values_list("field", "old_value", "new_value", "effective_on"))
    today = timezone.localdate()
    assert rows == [
        ("economic_status", "ordinary", "low_income", today),
        ("household_registration", "registered", "resident", today),
    ]


@pytest.mark.parametrize(
    "changes",
    [{"phone": "13900001111"}, {"economic_status": "ordinary"}, {"living_arrangement": "alone"}, {}],
)
def test_an_edit_that_leaves_the_dated_facts_alone_writes_no_row(world, changes):
    elder_update(actor=world.users["street0"], elder=world.elders["elder0"], changes=changes)
    assert ElderFactChange.objects.count() == 0


def test_a_refused_edit_writes_no_row(world):
    elder = world.elders["elder0"]
    with pytest.raises(ValidationFailed) as exc:
        elder_update(actor=world.users["street0"], elder=elder, changes={"economic_status": "dibao", "phone": "12345"})
    assert [e.field for e in exc.value.errors] == ["phone"]
    assert ElderFactChange.objects.count() == 0
    elder.refresh_from_db()
    assert elder.economic_status == "ordinary"


def test_an_edit_without_elders_change_writes_no_row(world):
    with pytest.raises(Forbidden):
        elder_update(
            actor=world.users["street0_readonly"], elder=world.elders["elder0"], changes={"economic_status": "dibao"}
        )
    assert ElderFactChange.objects.count() == 0
