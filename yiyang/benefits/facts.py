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


def _level_events(
    row_of: dict[int, list[int]], level_rows: Sequence[tuple[int, date, int | None, date | None]]
) -> tuple[np.ndarray, Events]:
    """Initial level per row (-1: none) and events: each record sets its level from its day and, when
    its validity ends before the elder's next record, -1 from the day after. `level_rows` are ordered
    by elder and day."""
    items: list[tuple[int, date, int]] = []
    for k, (elder_id, assessed_on, level, valid_until) in enumerate(level_rows):
        rows = row_of.get(elder_id, ())
        following = level_rows[k + 1] if k + 1 < len(level_rows) else None
        lapse = valid_until + timedelta(days=1) if valid_until is not None else None
        if lapse is not None and following is not None and following[0] == elder_id and following[1] <= lapse:
            lapse = None
        if level is None:
            continue
        for row in rows:
            items.append((row, assessed_on, int(level)))
            if lapse is not None:
                items.append((row, lapse, UNKNOWN))
    n = sum(len(v) for v in row_of.values())
    return np.full(n, UNKNOWN, dtype=np.int16), _events(items)


def resident_batch(
    *, district_id: int, month: date, rows: Sequence[ResidentRow], licensed: set[int] | None = None
) -> ResidentBatch:
    """The month's facts of the given resident-subsidy rows (elders of `district_id`)."""
    n = len(rows)
    month_end = month + timedelta(days=days_in_month(month) - 1)
    row_of: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        row_of.setdefault(row.elder_id, []).append(i)
    elder_ids = None if n > 5000 else set(row_of)
    economic_initial = np.full(n, UNKNOWN, dtype=np.int16)
    roll_initial = np.zeros(n, dtype=np.int16)
    registered_initial = np.zeros(n, dtype=np.int16)
    for elder_id, economic, registration, status in elder_fact_rows(district_id=district_id):
        for i in row_of.get(elder_id, ()):
            economic_initial[i] = ECONOMIC_CODE.get(economic, UNKNOWN)
            registered_initial[i] = REGISTERED_CODE.get(registration, 0)
            roll_initial[i] = ROLL_CODE.get(status, 0)
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
    for elder_id, field, old, new, effective_on in elder_fact_events(
        district_id=district_id, until=date.max, elder_ids=elder_ids
    ):
        codes = FIELD_CODES[field]
        for i in row_of.get(elder_id, ()):
            if (i, field) not in first_seen:
                # Before its first recorded change the fact was the change's old value.
                first_seen.add((i, field))
                initial[field][i] = codes.get(old, UNKNOWN if field == "economic_status" else 0)
            events[field].append((i, effective_on, codes.get(new, UNKNOWN if field == "economic_status" else 0)))
    licensed = licensed_institution_ids() if licensed is None else licensed
    stay_items = [
        (i, admitted_on, discharged_on)
        for _pk, elder_id, organisation_id, admitted_on, discharged_on in stays_overlapping(
            start=month, end=month_end, elder_district_id=district_id, elder_ids=elder_ids
        )
        if organisation_id in licensed
        for i in row_of.get(elder_id, ())
    ]
    level_initial, level_events = _level_events(
        row_of, list(ability_level_events(until=month_end, elder_district_id=district_id, elder_ids=elder_ids))
    )
    window = Stays.of(
        [(i, row.starts_on, row.ends_on + timedelta(days=1) if row.ends_on else None) for i, row in enumerate(rows)]
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
        stays=Stays.of(stay_items) if stay_items else Stays(),
        window=window,
    )


def bed_batch(*, month: date, organisation_ids: Sequence[int]) -> tuple[BedBatch, list[int]]:
    """Stays in the month at the given institutions (one row per stay) and their residents' levels.
    Returns the batch and the elder pk of each row."""
    month_end = month + timedelta(days=days_in_month(month) - 1)
    index = {org: i for i, org in enumerate(organisation_ids)}
    stays = list(stays_overlapping(start=month, end=month_end, organisation_ids=list(organisation_ids)))
    row_of: dict[int, list[int]] = {}
    for i, (_pk, elder_id, *_rest) in enumerate(stays):
        row_of.setdefault(elder_id, []).append(i)
    level_rows = list(ability_level_events(until=month_end, elder_ids=set(row_of))) if row_of else []
    level_initial, level_events = _level_events(row_of, level_rows)
    batch = BedBatch(
        month=month,
        n=len(stays),
        n_organisations=len(organisation_ids),
        organisation=np.array([index[s[2]] for s in stays], dtype=np.int64),
        stays=Stays.of([(i, s[3], s[4]) for i, s in enumerate(stays)]) if stays else Stays(),
        level_initial=level_initial,
        level=level_events,
    )
    return batch, [s[1] for s in stays]
