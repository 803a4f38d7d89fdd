"""Reads of the dated facts for the payroll: `elder_fact_events` (replay order, plain tuples) and
`elder_fact_changes_since` (which elders changed after a run was locked, from which day)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiyang.elders import selectors
from yiyang.elders.models import Elder, ElderFactChange
from yiyang.elders.selectors import FACT_EVENT_COLUMNS, elder_fact_changes_since, elder_fact_events

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


def test_events_come_in_replay_order_as_tuples(history):
    w = history
    e0, e1, r0 = (w.elders[k].pk for k in ("elder0", "elder1", "resident0"))
    assert e0 < r0 < e1  # street 0's elders were registered first
    events = elder_fact_events([e1, e0, r0], until=date(2026, 11, 30))

    assert FACT_EVENT_COLUMNS == ("elder_id", "field", "old_value", "new_value", "effective_on")
    expected = [
        (e0, "economic_status", "ordinary", "dibao", date(2026, 10, 1)),
        # Same day: the registration change was recorded first (15th), then the status (16th).
        (e0, "household_registration", "registered", "resident", date(2026, 11, 15)),
        (e0, "economic_status", "dibao", "tekun", date(2026, 11, 15)),
        (e1, "status", "active", "deceased", date(2026, 11, 20)),
    ]
    assert events == expected
    assert all(type(row) is tuple for row in events)


def test_until_is_inclusive_and_later_changes_are_left_out(history):
    e0 = history.elders["elder0"].pk
    assert [row[4] for row in elder_fact_events([e0], until=date(2026, 11, 14))] == [date(2026, 10, 1)]
    assert len(elder_fact_events([e0], until=date(2026, 11, 15))) == 3
    r0 = history.elders["resident0"].pk
    assert elder_fact_events([r0], until=date(2026, 11, 30)) == []
    assert elder_fact_events([r0], until=date(2026, 12, 1)) == [
        (r0, "economic_status", "ordinary", "low_income", date(2026, 12, 1))
    ]


def test_recorded_before_gives_what_was_known_then(history):
    e0 = history.elders["elder0"].pk
    # On the 10th the backdated 低保 decision (recorded on the 2nd) was known, the rest not yet.
    assert elder_fact_events([e0], until=date(2026, 11, 30), recorded_before=at(10)) == [
        (e0, "economic_status", "ordinary", "dibao", date(2026, 10, 1))
    ]


def test_elders_not_asked_for_are_not_read(history):
    e1 = history.elders["elder1"].pk
    assert elder_fact_events([e1], until=date(2026, 11, 30)) == [
        (e1, "status", "active", "deceased", date(2026, 11, 20))
    ]
    assert elder_fact_events([], until=date(2026, 11, 30)) == []


def test_chunks_keep_the_elder_order(history, monkeypatch):
    ids = list(Elder.objects.values_list("pk", flat=True))
    whole = elder_fact_events(ids, until=date(2026, 12, 31))
    monkeypatch.setattr(selectors, "FACT_EVENTS_CHUNK", 1)
    with CaptureQueriesContext(connection) as queries:
        chunked = elder_fact_events(reversed(ids), until=date(2026, 12, 31))
    assert chunked == whole
    assert len(whole) == 5
    assert len(queries) == len(ids)  # one query per chunk of one elder


def test_a_queryset_of_elders_is_one_query(history):
    w = history
    with CaptureQueriesContext(connection) as queries:
        events = elder_fact_events(Elder.objects.filter(street=w.streets[0]).values("pk"), until=date(2026, 12, 31))
    assert len(queries) == 1
    assert {row[0] for row in events} == {w.elders["elder0"].pk, w.elders["resident0"].pk}
    assert events == elder_fact_events([w.elders["elder0"].pk, w.elders["resident0"].pk], until=date(2026, 12, 31))


def test_changes_since_give_the_earliest_effective_day_per_elder(history):
    w = history
    e0, e1, r0 = (w.elders[k].pk for k in ("elder0", "elder1", "resident0"))
    assert elder_fact_changes_since(at(1)) == {e0: date(2026, 10, 1), e1: date(2026, 11, 20), r0: date(2026, 12, 1)}
    # After the 15th 09:00 only the 16th's, 21st's and 25th's recordings count (strictly after).
    assert elder_fact_changes_since(at(15)) == {e0: date(2026, 11, 15), e1: date(2026, 11, 20), r0: date(2026, 12, 1)}
    assert elder_fact_changes_since(at(21)) == {r0: date(2026, 12, 1)}
    assert elder_fact_changes_since(at(25)) == {}


def test_changes_since_in_one_district(history):
    from yiyang.areas.models import Area

    other = Area.objects.create(code="350203", name="乙区", level="district")
    w = history
    assert elder_fact_changes_since(at(1), district_id=other.pk) == {}
    assert elder_fact_changes_since(at(20), district_id=w.district.pk) == {
        w.elders["elder1"].pk: date(2026, 11, 20),
        w.elders["resident0"].pk: date(2026, 12, 1),
    }
