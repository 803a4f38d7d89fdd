"""The vectorised day-grid painters against a plain per-row reference, on random cases."""

import numpy as np
import pytest

from yiyang.benefits import rules


def reference_intervals(n_rows, n_days, rows, starts, ends):
    grid = np.zeros((n_rows, n_days), dtype=bool)
    for row, start, end in zip(rows, starts, ends, strict=True):
        for day in range(max(0, start), min(n_days, end)):
            grid[row, day] = True
    return grid


def reference_facts(n_rows, n_days, initial, rows, days, values):
    grid = np.empty((n_rows, n_days), dtype=np.int16)
    for row in range(n_rows):
        current = int(initial[row])
        events = [(int(d), int(v)) for r, d, v in zip(rows, days, values, strict=True) if r == row]
        for day in range(n_days):
            for event_day, value in events:  # in recording order: the last one on a day wins
                if max(event_day, 0) == day:
                    current = value
            grid[row, day] = current
    return grid


@pytest.mark.parametrize("seed", range(40))
def test_painters_match_the_reference(seed):
    rng = np.random.default_rng(seed)
    n_rows = int(rng.integers(1, 12))
    n_days = int(rng.choice([28, 29, 30, 31]))
    count = int(rng.integers(0, 25))
    rows = rng.integers(0, n_rows, count)
    if seed % 2:
        rows = np.sort(rows)
    starts, ends = rng.integers(-40, 40, count), rng.integers(-40, 40, count)
    assert (
        rules.paint_intervals(n_rows, n_days, rows, starts, ends)
        == reference_intervals(n_rows, n_days, rows, starts, ends)
    ).all()

    initial = rng.integers(-1, 5, n_rows).astype(np.int16)
    days = rng.integers(-10, n_days + 5, count)
    order = np.lexsort((days, rows))  # sorted by (row, day), stable: recording order kept
    rows, days = rows[order], days[order]
    values = rng.integers(-1, 5, count).astype(np.int16)
    painted = rules.paint_facts(n_rows, n_days, initial, rows, days, values)
    assert painted.dtype == np.int16
    assert (painted == reference_facts(n_rows, n_days, initial, rows, days, values)).all()


def test_events_on_the_same_day_keep_the_last_recorded():
    painted = rules.paint_facts(1, 30, np.array([2]), np.array([0, 0]), np.array([14, 14]), np.array([3, 1]))
    assert painted[0].tolist() == [2] * 14 + [1] * 16


def test_an_event_before_the_month_holds_from_the_first():
    painted = rules.paint_facts(2, 30, np.array([0, 4]), np.array([1, 1]), np.array([-3, 40]), np.array([2, 0]))
    assert painted.tolist() == [[0] * 30, [2] * 30]
