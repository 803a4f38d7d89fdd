"""Reads of the dated facts for the payroll: `elder_fact_rows` and `elder_fact_events` (a district's
facts as plain tuples, changes in replay order) and `elder_fact_changes_since` (which elders changed
after a run was locked, from which day)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiyang.elders.models import ElderFactChange
from yiyang.elders.selectors import elder_fact_changes_since, elder_fact_events, elder_fact_rows

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def add(elder, field, old, new, effective_on, recorded_at):
    return ElderFactChange.objects.create(
        elder=elder,
        field=field,
        old_value=old,
        new_value=new,
        effective_on=effective_on,
        recorded_at=recorded_at,
    )


@pytest.fixture
def history(world):
    e0, e1, r0 = world.elders["elder0"], world.elders["elder1"], world.elders["resident0"]
    # Recorded out of order on purpose: the answer is in replay order, not insertion order.
    add(e1, "status", "active", "deceased", date(2026, 11, 20), at(21))
    add(e0, "economic_status", "dibao", "tekun", date(2026, 11, 15), at(16))
    add(e0, "economic_status", "ordinary", "dibao", date(2026, 10, 1), at(2))  # backdated, recorded later
    add(e0, "household_registration", "registered", "resident", date(2026, 11, 15), at(15))
    add(r0, "economic_status", "ordinary", "low_income", date(2026, 12, 1), at(25))
    return world


def events(world, **kwargs):
    return list(elder_fact_events(district_id=world.district.pk, **kwargs))


def test_events_come_in_replay_order_as_tuples(history):
    w = history
    e0, e1, r0 = (w.elders[k].pk for k in ("elder0", "elder1", "resident0"))
    assert e0 < r0 < e1  # street 0's elders were registered first

    with CaptureQueriesContext(connection) as queries:
        rows = events(w, until=date(2026, 11, 30))

    assert rows == [
        (e0, "economic_status", "ordinary", "dibao", date(2026, 10, 1)),
        # Same day: the registration change was recorded first (15th), then the status (16th).
        (e0, "household_registration", "registered", "resident", date(2026, 11, 15)),
        (e0, "economic_status", "dibao", "tekun", date(2026, 11, 15)),
        (e1, "status", "active", "deceased", date(2026, 11, 20)),
    ]
    assert all(type(row) is tuple for row in rows)
    assert len(queries) == 1


def test_until_is_inclusive_and_later_changes_are_left_out(history):
    w = history
    e0, r0 = w.elders["elder0"].pk, w.elders["resident0"].pk
    assert [row[4] for row in events(w, until=date(2026, 11, 14), elder_ids=[e0])] == [date(2026, 10, 1)]
    assert len(events(w, until=date(2026, 11, 15), elder_ids=[e0])) == 3
    assert events(w, until=date(2026, 11, 30), elder_ids=[r0]) == []
    assert events(w, until=date(2026, 12, 1), elder_ids=[r0]) == [
        (r0, "economic_status", "ordinary", "low_income", date(2026, 12, 1))
    ]


def test_only_the_elders_asked_for(history):
    w = history
    e1 = w.elders["elder1"].pk
    assert events(w, until=date(2026, 11, 30), elder_ids={e1}) == [
        (e1, "status", "active", "deceased", date(2026, 11, 20))
    ]
    assert events(w, until=date(2026, 11, 30), elder_ids=[]) == []


def test_another_districts_elders_are_not_read(history):
    from yiyang.areas.models import Area

    other = Area.objects.create(code="350203", name="乙区", level="district")
    assert list(elder_fact_events(district_id=other.pk, until=date(2026, 12, 31))) == []
    assert list(elder_fact_rows(district_id=other.pk)) == []


def test_fact_rows_are_todays_values_as_tuples(history):
    w = history
    elder = w.elders["elder0"]
    elder.economic_status = "tekun"
    elder.save(update_fields=["economic_status"])
    rows = {row[0]: row for row in elder_fact_rows(district_id=w.district.pk)}
    assert set(rows) == {e.pk for e in w.elders.values()}
    assert rows[elder.pk] == (elder.pk, "tekun", "registered", "active")


def test_changes_since_give_the_earliest_effective_day_per_elder(history):
    w = history
    e0, e1, r0 = (w.elders[k].pk for k in ("elder0", "elder1", "resident0"))

    def since(moment):
        return elder_fact_changes_since(district_id=w.district.pk, recorded_after=moment)

    assert since(at(1)) == {e0: date(2026, 10, 1), e1: date(2026, 11, 20), r0: date(2026, 12, 1)}
    # After the 15th 09:00 only the 16th's, 21st's and 25th's recordings count (strictly after).
    assert since(at(15)) == {e0: date(2026, 11, 15), e1: date(2026, 11, 20), r0: date(2026, 12, 1)}
    assert since(at(21)) == {r0: date(2026, 12, 1)}
    assert since(at(25)) == {}


def test_changes_since_in_another_district_are_none(history):
    from yiyang.areas.models import Area

    other = Area.objects.create(code="350203", name="乙区", level="district")
    assert elder_fact_changes_since(district_id=other.pk, recorded_after=at(1)) == {}
