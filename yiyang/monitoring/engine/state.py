"""Per-elder engine state: plain slots, compact baselines, JSON round trip.

Times are float epoch seconds (UTC). Baselines are fixed-size: a 4-week ring of per-hour inactivity
histograms (bytes), 28-slot rings for wake time, daily activity and night bathroom visits. About
2 KB per elder, so a 14,000-elder district fits in tens of MB and snapshots compress well.
"""

from __future__ import annotations

import base64
import pickle
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

# Inactivity-gap histogram: bin upper edges in minutes; the last bin is ">= 240 min".
HIST_EDGES_MIN = (10, 20, 30, 45, 60, 75, 90, 100, 110, 120, 135, 150, 165, 180, 210, 240)
HIST_BINS = len(HIST_EDGES_MIN) + 1
HIST_WEEKS = 4  # rolling 28 days = four weekly slots
RING = 28  # rolling 28 days of daily values


def _bin(gap_s: float) -> int:
    minutes = gap_s / 60.0
    for index, edge in enumerate(HIST_EDGES_MIN):
        if minutes < edge:
            return index
    return HIST_BINS - 1


class ElderState:
    """Everything the engine remembers about one elder. Mutated in place by `step`."""

    __slots__ = (
        "act_n",
        "act_ring",
        "away",
        "away_since",
        "bath_high",
        "bath_n",
        "bath_ring",
        "batt_low",
        "bed_dev",
        "bed_out_night_end",
        "bed_out_ts",
        "day",
        "day_count",
        "day_out",
        "day_supp",
        "days_obs",
        "deadline",
        "devs",
        "dirty",
        "door_fired",
        "elder_id",
        "fall_ts",
        "fall_until",
        "has_bath",
        "has_bed",
        "has_routine",
        "hist",
        "hold",
        "hr_base",
        "hr_n",
        "in_bed",
        "inact_fired",
        "inhibit_until",
        "last_act",
        "last_act_armed",
        "last_bath",
        "last_motion",
        "last_room",
        "low_days",
        "n2",
        "n2_active",
        "n2_clear",
        "night",
        "night_data",
        "night_end_s",
        "night_fired",
        "night_visits",
        "nights_obs",
        "no_out_days",
        "not_worn_since",
        "open",
        "supp",
        "t_door",
        "t_wake",
        "temp_active",
        "temp_base",
        "temp_clear",
        "temp_n",
        "temp_run",
        "temp_run_ts",
        "thr",
        "trk",
        "wake_cand",
        "wake_n",
        "wake_ring",
        "wake_today",
        "woke_day",
        "worn_fired",
    )

    def __init__(self, elder_id: int) -> None:
        self.elder_id = elder_id
        # health indicators
        self.trk: dict[str, list[Any]] = {}  # rule -> [run_start, run_last, run_count, active, clear_start]
        self.open: dict[str, list[Any]] = {}  # alert_type -> [severity rank, last raised at, repeat count]
        self.n2: list[list[float] | None] = [None, None, None, None, None]  # rr, spo2, sbp, hr, temp
        self.n2_active = False
        self.n2_clear: float | None = None
        self.temp_base = 0.0
        self.temp_n = 0
        self.temp_run = 0
        self.temp_run_ts = 0.0
        self.temp_active = False
        self.temp_clear: float | None = None
        self.hr_base = 0.0
        self.hr_n = 0
        self.fall_ts: float | None = None
        self.fall_until: float | None = None
        # suppression / inhibition; holds defer a blocked timer rule: alert_type -> until
        self.supp: dict[str, float] = {}
        self.inhibit_until = 0.0
        self.hold: dict[str, float] = {}
        # routine
        self.has_routine = False
        self.has_bed = False
        self.has_bath = False
        self.bed_dev: int | None = None
        self.in_bed = False
        self.bed_out_ts: float | None = None
        self.bed_out_night_end: float | None = None  # night end (epoch) if the bed exit was at night
        self.last_act: float | None = None
        self.last_act_armed = False
        self.last_motion: float | None = None
        self.last_room = ""
        self.last_bath: float | None = None
        self.away = False
        self.away_since: float | None = None
        self.inact_fired = False
        self.night_fired = False
        self.door_fired = False
        self.t_door: float | None = None
        self.t_wake: float | None = None
        self.day: int | None = None
        self.woke_day: int | None = None
        self.wake_today = 0  # minute of day of today's wake signal
        self.wake_cand: float | None = None  # first wake signal, confirmed by more activity >= 10 min later
        self.day_count = 0
        self.day_out = False
        self.day_supp = False
        self.days_obs = 0
        self.low_days = 0
        self.no_out_days = 0
        self.night: int | None = None
        self.night_visits = 0
        self.night_data = False
        self.nights_obs = 0
        self.bath_high = 0
        self.night_end_s: int | None = None
        self.hist = bytearray(HIST_WEEKS * 24 * HIST_BINS)
        self.thr: list[int] | None = None  # inactivity threshold per local hour, seconds
        self.wake_ring = array("H", bytes(2 * RING))
        self.wake_n = 0
        self.act_ring = array("H", bytes(2 * RING))
        self.act_n = 0
        self.bath_ring = bytearray(RING)
        self.bath_n = 0
        # devices: id -> [last_seen, interval, last_heartbeat, offline 0/1]
        self.devs: dict[int, list[float]] = {}
        self.batt_low: list[int] = []
        self.not_worn_since: float | None = None
        self.worn_fired = False
        # timers
        self.deadline: float | None = None
        self.dirty = False

    # ------------------------------------------------------------------ baselines
    def hist_add(self, day: int, hour: int, gap_s: float) -> None:
        index = ((day // 7) % HIST_WEEKS * 24 + hour) * HIST_BINS + _bin(gap_s)
        if self.hist[index] < 255:
            self.hist[index] += 1

    def hist_clear_week(self, day: int) -> None:
        start = (day // 7) % HIST_WEEKS * 24 * HIST_BINS
        self.hist[start : start + 24 * HIST_BINS] = bytes(24 * HIST_BINS)

    def hist_quantile_s(self, hour: int, q: float, min_samples: int) -> float | None:
        """Upper edge (s) of the bin holding the q-quantile of the hour's gaps; None if too few."""
        counts = [0] * HIST_BINS
        for week in range(HIST_WEEKS):
            base = (week * 24 + hour) * HIST_BINS
            for b in range(HIST_BINS):
                counts[b] += self.hist[base + b]
        total = sum(counts)
        if total < min_samples:
            return None
        need = q * total
        running = 0
        for b, c in enumerate(counts):
            running += c
            if running >= need:
                return (HIST_EDGES_MIN[b] if b < len(HIST_EDGES_MIN) else 300) * 60.0
        return 300 * 60.0

    # ------------------------------------------------------------------ snapshot
    def encode(self) -> bytes:
        """Compact bytes for incremental checkpoints: the slot values in `LAYOUT` order, pickled and
        compressed (~40 µs and ~0.3 KB, against ~100 µs and ~0.7 KB for the JSON form). Only ever
        read back by `decode` from our own database."""
        raw = pickle.dumps(tuple([getattr(self, name) for name in self.__slots__]), protocol=5)
        return zlib.compress(raw, 1)  # ~2.3 KB -> ~0.3 KB: the histogram is mostly zeros

    @classmethod
    def decode(cls, elder_id: int, blob: bytes, layout: Sequence[str]) -> ElderState:
        """Inverse of `encode`; `layout` is the LAYOUT it was written with, so a release that adds or
        drops a slot still restores (new slots keep their initial value, dropped ones are ignored)."""
        state = cls(elder_id)
        known = _SLOTS
        values = pickle.loads(zlib.decompress(blob))  # noqa: S301 -- our own checkpoint rows
        for name, value in zip(layout, values, strict=True):
            if name in known:
                setattr(state, name, value)
        state.elder_id = elder_id
        return state

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, bytearray):
                value = {"b": base64.b64encode(value).decode("ascii")}
            elif isinstance(value, array):
                value = {"a": value.typecode, "b": base64.b64encode(value.tobytes()).decode("ascii")}
            elif name == "devs":
                value = {str(k): v for k, v in value.items()}
            out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ElderState:
        state = cls(int(data["elder_id"]))
        for name in cls.__slots__:
            if name not in data:
                continue
            value = data[name]
            if isinstance(value, dict) and "b" in value and len(value) <= 2 and name not in ("open", "trk", "supp"):
                raw = base64.b64decode(value["b"])
                if "a" in value:
                    arr = array(value["a"])
                    arr.frombytes(raw)
                    value = arr
                else:
                    value = bytearray(raw)
            elif name == "devs":
                value = {int(k): v for k, v in value.items()}
            setattr(state, name, value)
        return state


LAYOUT: tuple[str, ...] = ElderState.__slots__
_SLOTS = frozenset(LAYOUT)
