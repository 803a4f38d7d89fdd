"""Loading a month's facts for the monthly schemes from the other apps' selectors, as numpy batches.

Each loader reads a whole district in a few queries of plain tuples (no model objects), then maps
elders and institutions to batch rows with numpy. Values are coded as small ints: economic status by
rules.ECONOMIC_KEYS, on the roll 1 / deceased 0 / moved out 2, registered 1 / not 0, level 0–4 / -1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from yiyang.assessments.selectors import ability_level_events
from yiyang.benefits.rules import (
    ECONOMIC_KEYS,
    UNKNOWN,
    BedBatch,
    Events,
    ResidentBatch,
    Stays,
    days_in_month,
)
from yiyang.elders.selectors import elder_fact_events, elder_fact_rows
from yiyang.organisations.selectors import licensed_institution_ids, stays_overlapping

ECONOMIC_CODE = {key: i for i, key in enumerate(ECONOMIC_KEYS)}
ROLL_CODE = {"active": 1, "deceased": 0, "moved_out": 2}
REGISTERED_CODE = {"registered": 1, "resident": 0}
FIELD_CODES = {
    "economic_status": ECONOMIC_CODE,
    "status": ROLL_CODE,
    "household_registration": REGISTERED_CODE,
}


@dataclass
class ResidentRow:
    """What the payroll knows of one resident-subsidy entitlement row."""

    entitlement_id: int
    elder_id: int
    starts_on: date
    ends_on: date | None


def _events(items: list[tuple[int, date, int]]) -> Events:
    if not items:
        return Events()
    array = np.array(
        [(r, d.toordinal(), v) for r, d, v in items], dtype=[("r", np.int64), ("d", np.int64), ("v", np.int16)]
    )
    order = np.lexsort((np.arange(len(array)), array["d"], array["r"]))  # stable by recording order
    array = array[order]
    epoch = date(1970, 1, 1).toordinal()
    return Events(
        rows=array["r"],
        days=(array["d"] - epoch).astype("datetime64[D]"),
        values=array["v"],
    )


EPOCH = date(1970, 1, 1).toordinal()


class RowIndex:
    """Batch rows by elder, to join rows of other tables (one per elder, or several) to every batch row
    of their elder with numpy rather than a dict walk per row."""

    def __init__(self, row_elders: np.ndarray) -> None:
        self.n = len(row_elders)
        self.order = np.argsort(row_elders, kind="stable")
        self.sorted = row_elders[self.order]

    def join(self, elder_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(batch row, item) pairs: every batch row of each item's elder, items in their order and
        each item's rows ascending (the order the former per-row loops produced)."""
        lo = np.searchsorted(self.sorted, elder_ids, side="left")
        counts = np.searchsorted(self.sorted, elder_ids, side="right") - lo
        items = np.repeat(np.arange(len(elder_ids)), counts)
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.order[np.repeat(lo, counts) + offsets], items


def _days(values: Sequence[date | None]) -> np.ndarray:
    """Dates (None → NaT) as datetime64[D]."""
    ordinals = np.fromiter((d.toordinal() - EPOCH if d is not None else 0 for d in values), np.int64, len(values))
    days = ordinals.astype("datetime64[D]")
    missing = np.fromiter((d is None for d in values), bool, len(values))
    days[missing] = np.datetime64("NaT")
    return days


def _level_events(
    index: RowIndex, level_rows: Sequence[tuple[int, date, int | None, date | None]]
) -> tuple[np.ndarray, Events]:
    """Initial level per row (-1: none) and events: each record sets its level from its day and, when
    its validity ends before the elder's next record, -1 from the day after. `level_rows` are ordered
    by elder and day."""
    initial = np.full(index.n, UNKNOWN, dtype=np.int16)
    m = len(level_rows)
    if not m:
        return initial, Events()
    elder = np.fromiter((r[0] for r in level_rows), np.int64, m)
    day = np.fromiter((r[1].toordinal() for r in level_rows), np.int64, m)
    level = np.fromiter((-9 if r[2] is None else r[2] for r in level_rows), np.int64, m)
    until = np.fromiter((-1 if r[3] is None else r[3].toordinal() for r in level_rows), np.int64, m)
    lapse = until + 1
    # No lapse when the elder's next record starts on or before the day after this one's validity.
    followed = np.zeros(m, dtype=bool)
    followed[:-1] = (elder[1:] == elder[:-1]) & (day[1:] <= lapse[:-1])
    keep = level != -9
    lapses = keep & (until >= 0) & ~followed
    # Each record's level, then its lapse: recording order 2k and 2k + 1.
    item_elder = np.concatenate([elder[keep], elder[lapses]])
    item_day = np.concatenate([day[keep], lapse[lapses]])
    item_value = np.concatenate([level[keep], np.full(int(lapses.sum()), UNKNOWN)])
    item_order = np.concatenate([2 * np.flatnonzero(keep), 2 * np.flatnonzero(lapses) + 1])
    rows, items = index.join(item_elder)
    return initial, _sorted_events(rows, item_day[items], item_value[items], item_order[items])


def _sorted_events(rows: np.ndarray, ordinals: np.ndarray, values: np.ndarray, order: np.ndarray) -> Events:
    """Events sorted by (row, day, recording order)."""
    if not len(rows):
        return Events()
    sort = np.lexsort((order, ordinals, rows))
    return Events(
        rows=rows[sort].astype(np.int64),
        days=(ordinals[sort] - EPOCH).astype("datetime64[D]"),
        values=values[sort].astype(np.int16),
    )


def resident_batch(
    *, district_id: int, month: date, rows: Sequence[ResidentRow], licensed: set[int] | None = None
) -> ResidentBatch:
    """The month's facts of the given resident-subsidy rows (elders of `district_id`)."""
    n = len(rows)
    month_end = month + timedelta(days=days_in_month(month) - 1)
    index = RowIndex(np.fromiter((row.elder_id for row in rows), np.int64, n))
    elder_ids = None if n > 5000 else {row.elder_id for row in rows}
    economic_initial = np.full(n, UNKNOWN, dtype=np.int16)
    roll_initial = np.zeros(n, dtype=np.int16)
    registered_initial = np.zeros(n, dtype=np.int16)
    facts = list(elder_fact_rows(district_id=district_id))
    if facts:
        targets, items = index.join(np.fromiter((f[0] for f in facts), np.int64, len(facts)))
        for array, column, codes, missing in (
            (economic_initial, 1, ECONOMIC_CODE, UNKNOWN),
            (registered_initial, 2, REGISTERED_CODE, 0),
            (roll_initial, 3, ROLL_CODE, 0),
        ):
            coded = np.fromiter((codes.get(str(f[column]), missing) for f in facts), np.int16, len(facts))
            array[targets] = coded[items]
    initial = {
        "economic_status": economic_initial,
        "status": roll_initial,
        "household_registration": registered_initial,
    }
    events: dict[str, list[tuple[int, date, int]]] = {k: [] for k in initial}
    first_seen: set[tuple[int, str]] = set()
    # Every change, also those after the month: a change's old value is what held before it, so the
    # first change after the month (a death registered before the month was computed) says what held
    # in it; the elder row holds today's value. Events after the month are not painted (paint_facts).
    changes = list(elder_fact_events(district_id=district_id, until=date.max, elder_ids=elder_ids))
    pairs: list[tuple[int, int]] = []
    if changes:
        change_rows, change_items = index.join(np.fromiter((c[0] for c in changes), np.int64, len(changes)))
        pairs = list(zip(change_rows.tolist(), change_items.tolist(), strict=True))
    for i, k in pairs:
        _elder_id, field, old, new, effective_on = changes[k]
        codes = FIELD_CODES[field]
        if (i, field) not in first_seen:
            # Before its first recorded change the fact was the change's old value.
            first_seen.add((i, field))
            initial[field][i] = codes.get(old, UNKNOWN if field == "economic_status" else 0)
        events[field].append((i, effective_on, codes.get(new, UNKNOWN if field == "economic_status" else 0)))
    licensed = licensed_institution_ids() if licensed is None else licensed
    stays = [
        s
        for s in stays_overlapping(start=month, end=month_end, elder_district_id=district_id, elder_ids=elder_ids)
        if s[2] in licensed
    ]
    if stays:
        stay_rows, stay_items = index.join(np.fromiter((s[1] for s in stays), np.int64, len(stays)))
        stays_batch = Stays(
            rows=stay_rows.astype(np.int64),
            starts=_days([s[3] for s in stays])[stay_items],
            ends=_days([s[4] for s in stays])[stay_items],
        )
    else:
        stays_batch = Stays()
    level_initial, level_events = _level_events(
        index, list(ability_level_events(until=month_end, elder_district_id=district_id, elder_ids=elder_ids))
    )
    window = Stays(
        rows=np.arange(n, dtype=np.int64),
        starts=_days([row.starts_on for row in rows]),
        ends=_days([row.ends_on + timedelta(days=1) if row.ends_on else None for row in rows]),
    )
    return ResidentBatch(
        month=month,
        n=n,
        economic_initial=economic_initial,
        economic=_events(events["economic_status"]),
        registered_initial=registered_initial,
        registered=_events(events["household_registration"]),
        on_roll_initial=roll_initial,
        on_roll=_events(events["status"]),
        level_initial=level_initial,
        level=level_events,
        stays=stays_batch,
        window=window,
    )


def bed_batch(*, month: date, organisation_ids: Sequence[int]) -> tuple[BedBatch, list[int]]:
    """Stays in the month at the given institutions (one row per stay) and their residents' levels.
    Returns the batch and the elder pk of each row."""
    month_end = month + timedelta(days=days_in_month(month) - 1)
    index = {org: i for i, org in enumerate(organisation_ids)}
    stays = list(stays_overlapping(start=month, end=month_end, organisation_ids=list(organisation_ids)))
    stay_elders = np.fromiter((s[1] for s in stays), np.int64, len(stays))
    rows_by_elder = RowIndex(stay_elders)
    # A long list of elders would go to the database as one IN (…) of that length (minutes at a
    # million): past a few thousand, read every confirmed record up to the month's end instead;
    # _level_events keeps only the elders of these stays.
    elder_ids = set(stay_elders.tolist()) if len(stays) <= 5000 else None
    level_rows = list(ability_level_events(until=month_end, elder_ids=elder_ids)) if stays else []
    level_initial, level_events = _level_events(rows_by_elder, level_rows)
    batch = BedBatch(
        month=month,
        n=len(stays),
        n_organisations=len(organisation_ids),
        organisation=np.array([index[s[2]] for s in stays], dtype=np.int64),
        stays=Stays(
            rows=np.arange(len(stays), dtype=np.int64),
            starts=_days([s[3] for s in stays]),
            ends=_days([s[4] for s in stays]),
        )
        if stays
        else Stays(),
        level_initial=level_initial,
        level=level_events,
    )
    return batch, [s[1] for s in stays]
