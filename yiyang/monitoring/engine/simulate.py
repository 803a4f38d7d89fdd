"""Deterministic simulator of elders' days at home, with injected incidents and ground-truth labels.

`simulate_days(n_elders, days, seed, incidents)` yields `(Reading, Label | None)` in device-time
order across all elders. Each elder has a watch (heartbeat, HR spot readings, BP/SpO2/temperature a
few times a day), motion sensors by room, a front-door sensor and usually a smart mattress (bed
in/out, HR/RR while in bed). Life follows a personal routine: wake and bed times, naps, outings,
night bathroom visits. Incidents change the stream (a fall alarm then a long lie, an SOS, a fever,
no getting up, a long night out of bed, a daytime collapse where activity stops, a watch going
offline); the `Label` is attached to the elder's first reading at or after the incident start.

Same arguments, same stream: every random draw comes from `random.Random` seeded per elder.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from yiyang.monitoring.engine.contract import (
    ALARM_FALL,
    ALARM_SOS,
    BED_OCCUPANCY,
    BODY_TEMPERATURE,
    DIASTOLIC_BP,
    DOOR,
    HEART_RATE,
    HEARTBEAT,
    MOTION,
    RESPIRATORY_RATE,
    SPO2,
    SYSTOLIC_BP,
    Reading,
)

INCIDENT_TYPES = ("fall", "sos", "fever", "no_getup", "night_out_of_bed", "collapse", "device_offline")
EXPECTED = {
    "fall": ("fall",),
    "sos": ("sos",),
    "fever": ("temperature", "temp_extreme", "news2"),
    "no_getup": ("late_wakeup", "inactivity"),
    "night_out_of_bed": ("night_bed_exit",),
    "collapse": ("inactivity",),
    "device_offline": ("device_offline",),
}
DEFAULT_RATES = dict.fromkeys(INCIDENT_TYPES, 1 / 60)  # per elder-day
ROOMS = ("kitchen", "living", "bedroom", "bathroom")
UNITS = {
    HEART_RATE: "/min",
    RESPIRATORY_RATE: "/min",
    SPO2: "%",
    SYSTOLIC_BP: "mm[Hg]",
    DIASTOLIC_BP: "mm[Hg]",
    BODY_TEMPERATURE: "Cel",
}


@dataclass(frozen=True, slots=True)
class Label:
    """Ground truth for one injected incident."""

    elder_id: int
    incident: str
    start: datetime
    end: datetime  # when the situation is over (rescue, fever gone)
    expected: tuple[str, ...]  # alert types that count as detecting it


@dataclass(frozen=True, slots=True)
class Profile:
    elder_id: int
    has_bed: bool
    wake_s: float  # mean wake time, seconds after local midnight
    wake_sd: float
    bed_s: float
    hr: float
    temp: float
    night_visits: float
    outing_p: float
    nap_p: float
    flags: tuple[str, ...]


def _profile(elder_id: int, rng: random.Random) -> Profile:
    flags = []
    if rng.random() < 0.1:
        flags.append("dementia")
    return Profile(
        elder_id=elder_id,
        has_bed=rng.random() < 0.7,
        wake_s=min(max(rng.gauss(6.6 * 3600, 1800), 5.5 * 3600), 7.75 * 3600),
        wake_sd=rng.uniform(600, 1200),
        bed_s=min(max(rng.gauss(21.5 * 3600, 1800), 20.5 * 3600), 22.75 * 3600),
        hr=rng.uniform(62, 82),
        temp=rng.uniform(36.2, 36.7),
        night_visits=rng.uniform(0.5, 1.6),
        outing_p=rng.uniform(0.3, 0.8),
        nap_p=rng.uniform(0.2, 0.7),
        flags=tuple(flags),
    )


def profiles(n_elders: int, seed: int) -> list[Profile]:
    """The elders' profiles (flags such as dementia let a caller resolve their RuleSets)."""
    return [_profile(e + 1, random.Random(f"{seed}:{e + 1}:profile")) for e in range(n_elders)]


def _poisson(rng: random.Random, mean: float) -> int:
    count, limit, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _plan_incidents(
    profile: Profile, days: int, rng: random.Random, rates: Mapping[str, float], first_day: int
) -> dict[int, str]:
    plan: dict[int, str] = {}
    for day in range(first_day, days - 1):
        for kind in INCIDENT_TYPES:
            if kind == "night_out_of_bed" and not profile.has_bed:
                continue
            if day not in plan and rng.random() < rates.get(kind, 0.0):
                plan[day] = kind
                # no back-to-back incidents, so every incident starts from a normal day
                break
    return plan


def simulate_days(
    n_elders: int,
    days: int,
    seed: int = 1,
    incidents: Mapping[str, float] | None = None,
    *,
    start: datetime | None = None,
    timezone: str = "Asia/Shanghai",
    bed_interval_s: float = 60.0,
    heartbeat_interval_s: float = 300.0,
    first_incident_day: int = 15,
) -> Iterator[tuple[Reading, Label | None]]:
    """Readings for `n_elders` over `days` days in device-time order, with incident labels.

    `incidents` maps incident type to a rate per elder-day (default 1/60 for each type, from
    `first_incident_day` on, at most one incident a day per elder); `{}` gives normal days only.
    `bed_interval_s` thins the mattress's 10 s pushes for speed.
    """
    rates = DEFAULT_RATES if incidents is None else incidents
    tz = ZoneInfo(timezone)
    origin = start or datetime(2025, 3, 3, tzinfo=tz)
    origin_local = origin.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    streams = [
        _elder_stream(p, days, seed, rates, origin_local, bed_interval_s, heartbeat_interval_s, first_incident_day)
        for p in profiles(n_elders, seed)
    ]
    for _ts, _seq, reading, label in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
        yield reading, label


def _elder_stream(
    p: Profile,
    days: int,
    seed: int,
    rates: Mapping[str, float],
    origin_local: datetime,
    bed_interval_s: float,
    heartbeat_interval_s: float,
    first_incident_day: int,
) -> Iterator[tuple[float, int, Reading, Label | None]]:
    rng = random.Random(f"{seed}:{p.elder_id}:days")
    plan = _plan_incidents(p, days, random.Random(f"{seed}:{p.elder_id}:plan"), rates, first_incident_day)
    base = p.elder_id * 10
    watch, bed, door = base + 1, base + 2, base + 3
    room_dev = {room: base + 4 + i for i, room in enumerate(ROOMS)}
    seq = 0
    pending: list[Label] = []
    # midnight (epoch) of each local day; handles any zone through the datetime arithmetic
    midnights = [(origin_local + timedelta(days=d)).timestamp() for d in range(days + 2)]
    wake_times = [midnights[d] + rng.gauss(p.wake_s, p.wake_sd) for d in range(days + 2)]
    for day in range(days):
        events: list[tuple[float, int, str, str, object]] = []
        midnight = midnights[day]
        wake = wake_times[day]
        next_wake = wake_times[day + 1]
        bedtime = midnight + p.bed_s + rng.gauss(0, 1200)
        incident = plan.get(day)
        label: Label | None = None
        fever = False
        offline: tuple[float, float] | None = None

        def add(ts: float, device: int, kind: str, code: str, value: object, events=events) -> None:
            events.append((ts, device, kind, code, value))

        if incident == "no_getup":
            # stays in bed (or still) past the usual wake time until a helper comes 5 h later
            start_ts = midnight + p.wake_s
            rescue = max(wake, start_ts) + 5 * 3600
            label = Label(p.elder_id, incident, _utc(start_ts), _utc(rescue), EXPECTED[incident])
            wake = rescue
        # --- morning: get up
        if p.has_bed:
            add(wake, bed, "state", BED_OCCUPANCY, "out")
        t = wake + rng.uniform(5, 60)
        # --- daytime plan: nap and outing are quiet periods
        quiet: list[tuple[float, float, str]] = []
        if rng.random() < p.nap_p:
            nap_start = midnight + rng.gauss(13.25 * 3600, 1200)
            quiet.append((nap_start, nap_start + rng.uniform(20, 80) * 60, "nap"))
        if rng.random() < p.outing_p:
            out_start = midnight + rng.uniform(8.5, 16.5) * 3600
            quiet.append((out_start, out_start + rng.uniform(40, 150) * 60, "out"))
        quiet.sort()
        if incident in ("collapse", "fall", "sos", "fever", "device_offline"):
            when = midnight + rng.uniform(9.0, 17.0) * 3600
            # not inside a quiet period, and comfortably before bedtime
            for q_start, q_end, _ in quiet:
                if q_start - 900 <= when <= q_end + 900:
                    when = q_end + 1800
            when = min(when, bedtime - 5 * 3600)
            if incident == "collapse":
                end = when + 5 * 3600
                label = Label(p.elder_id, incident, _utc(when), _utc(end), EXPECTED[incident])
                quiet = [q for q in quiet if q[1] < when] + [(when, end, "collapse")]
            elif incident == "fall":
                end = when + 3600
                label = Label(p.elder_id, incident, _utc(when), _utc(end), EXPECTED[incident])
                add(when, watch, "alarm", ALARM_FALL, None)
                quiet = [q for q in quiet if q[1] < when] + [(when, end, "lie")]
            elif incident == "sos":
                label = Label(p.elder_id, incident, _utc(when), _utc(when + 1800), EXPECTED[incident])
                add(when, watch, "alarm", ALARM_SOS, None)
            elif incident == "fever":
                when = midnight + rng.uniform(7.0, 10.0) * 3600
                label = Label(p.elder_id, incident, _utc(when), _utc(when + 36 * 3600), EXPECTED[incident])
                fever = True
            else:
                offline = (when, when + 6 * 3600)
                label = Label(p.elder_id, incident, _utc(when), _utc(when + 6 * 3600), EXPECTED[incident])
        # --- daytime motion with quiet periods
        room = "bedroom"
        while t < bedtime:
            current = next((q for q in quiet if q[0] <= t < q[1]), None)
            if current is not None:
                if current[2] == "out":
                    add(current[0], door, "activity", DOOR, "open")
                    add(current[1], door, "activity", DOOR, "open")
                    t = current[1] + rng.uniform(5, 60)
                    room = "living"
                else:
                    t = current[1] + rng.uniform(5, 120)
                continue
            upcoming = next((q for q in quiet if q[0] > t), None)
            if upcoming is not None and t + 60 > upcoming[0]:
                t = upcoming[0]
                continue
            if rng.random() < 0.35:
                room = rng.choice(ROOMS)
            add(t, room_dev[room], "activity", MOTION, room)
            gap = min(rng.expovariate(1 / 420), 2700)
            if upcoming is not None and t + gap > upcoming[0]:
                # last motion before the quiet period happens shortly before it
                gap = max(30.0, upcoming[0] - t - rng.uniform(10, 120))
                if t + gap >= upcoming[0]:
                    gap = upcoming[0] - t
            t += gap
        # --- evening: to bed, night bathroom visits
        add(bedtime - 60, room_dev["bedroom"], "activity", MOTION, "bedroom")
        if p.has_bed:
            add(bedtime, bed, "state", BED_OCCUPANCY, "in")
        in_bed: list[tuple[float, float]] = []
        night_start, night_end = bedtime + 3600, next_wake - 1800
        visits = sorted(rng.uniform(night_start, night_end) for _ in range(_poisson(rng, p.night_visits)))
        cursor = bedtime
        for visit in visits:
            if visit < cursor + 600:
                continue
            dur = rng.uniform(180, 600)
            if p.has_bed:
                add(visit, bed, "state", BED_OCCUPANCY, "out")
                add(visit + dur, bed, "state", BED_OCCUPANCY, "in")
            add(visit + 30, room_dev["bathroom"], "activity", MOTION, "bathroom")
            add(visit + dur - 60, room_dev["bedroom"], "activity", MOTION, "bedroom")
            in_bed.append((cursor, visit))
            cursor = visit + dur
        if incident == "night_out_of_bed" and p.has_bed:
            when = midnights[day + 1] + rng.uniform(1.5, 3.5) * 3600
            if when > cursor + 600 and when + 2.5 * 3600 + 600 < next_wake:
                end = when + 2.5 * 3600
                label = Label(p.elder_id, incident, _utc(when), _utc(end), EXPECTED[incident])
                add(when, bed, "state", BED_OCCUPANCY, "out")
                add(when + 40, room_dev["bedroom"], "activity", MOTION, "bedroom")
                add(end, room_dev["bedroom"], "activity", MOTION, "bedroom")
                add(end + 120, bed, "state", BED_OCCUPANCY, "in")
                in_bed.append((cursor, when))
                cursor = end + 120
            else:
                label = None
        in_bed.append((cursor, next_wake))
        if incident == "no_getup" and p.has_bed:
            in_bed.append((wake_times[day], wake))
        # --- mattress vitals while in bed
        if p.has_bed:
            for b_start, b_end in in_bed:
                tb = b_start + bed_interval_s
                while tb + 1 < b_end:
                    add(tb, bed, "vital", HEART_RATE, round(rng.gauss(p.hr - 6, 3)))
                    add(tb + 1, bed, "vital", RESPIRATORY_RATE, round(rng.gauss(15, 1.5)))
                    tb += bed_interval_s
        # --- watch: heartbeat, HR spot readings, BP/SpO2/temperature
        tw = wake_times[day]
        span_end = next_wake
        th = tw + rng.uniform(0, heartbeat_interval_s)
        while th < span_end:
            add(th, watch, "tech", HEARTBEAT, None)
            th += heartbeat_interval_s + rng.uniform(-5, 5)
        ts_hr = tw + rng.uniform(0, 3600)
        while ts_hr < span_end:
            hr = rng.gauss(p.hr + (15 if fever and label and ts_hr >= label.start.timestamp() else 0), 5)
            add(ts_hr, watch, "vital", HEART_RATE, round(hr))
            ts_hr += rng.uniform(2400, 4800)
        for hour in (8.0, 13.0, 19.0):
            ts_spot = midnight + (hour + rng.uniform(0, 1.5)) * 3600
            if not tw <= ts_spot < span_end:
                continue
            febrile = fever and label is not None and label.start.timestamp() <= ts_spot
            temp = rng.gauss(p.temp + (1.9 if febrile else 0.0), 0.15 if not febrile else 0.35)
            add(ts_spot, watch, "vital", BODY_TEMPERATURE, round(temp, 1))
            add(ts_spot, watch, "vital", SYSTOLIC_BP, round(rng.gauss(132, 10)))
            add(ts_spot, watch, "vital", DIASTOLIC_BP, round(rng.gauss(80, 7)))
            add(ts_spot, watch, "vital", SPO2, min(100, round(rng.gauss(96.5, 1.0))))
        if fever and label is not None:
            # the fever continues overnight: an extra temperature check in the evening
            ts_extra = label.start.timestamp() + 4 * 3600
            if ts_extra < span_end:
                add(ts_extra, watch, "vital", BODY_TEMPERATURE, round(rng.gauss(p.temp + 2.0, 0.3), 1))
        if offline is not None:
            events = [e for e in events if not (e[1] == watch and offline[0] <= e[0] < offline[1])]
        events.sort(key=lambda e: e[0])
        if label is not None:
            pending.append(label)
        for ts, device, kind, code, value in events:
            seq += 1
            attached = None
            if pending and ts >= pending[0].start.timestamp():
                attached = pending.pop(0)
            when_dt = _utc(ts)
            reading = Reading(
                key=f"{device}-{seq}",
                device_id=device,
                elder_id=p.elder_id,
                kind=kind,  # type: ignore[arg-type]
                code=code,
                value=value,
                unit=UNITS.get(code, ""),
                device_ts=when_dt,
                received_ts=when_dt,
            )
            yield ts, p.elder_id * 1_000_000_000 + seq, reading, attached


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def incident_labels(n_elders: int, days: int, seed: int = 1, **kwargs: object) -> list[Label]:
    """Only the labels of a simulation (runs it; for tests and reports)."""
    return [label for _reading, label in simulate_days(n_elders, days, seed, **kwargs) if label]  # type: ignore[arg-type]
