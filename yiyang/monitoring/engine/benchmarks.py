"""Benchmarks of the pure engine: rules-only throughput, timer lateness, detection quality.

Each function returns a plain dict; `yiyang bench monitoring|detection` prints them as one JSON object.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from yiyang.monitoring.engine.contract import (
    HEART_RATE,
    HEARTBEAT,
    MOTION,
    RESPIRATORY_RATE,
    SPO2,
    ConditionCleared,
    RaiseAlert,
    Reading,
)
from yiyang.monitoring.engine.core import _recompute
from yiyang.monitoring.engine.engine import Engine
from yiyang.monitoring.engine.rules import TECHNICAL_TYPES, default_ruleset, resolve_ruleset
from yiyang.monitoring.engine.simulate import INCIDENT_TYPES, Label, profiles, simulate_days

ROOMS = ("kitchen", "living", "bedroom", "bathroom")


def build_readings(n_elders: int = 14_000, n_readings: int = 400_000, seed: int = 7) -> list[Reading]:
    """The Appendix A mix: 50 % mattress (HR, RR), 30 % watch (HR, SpO2, heartbeat), 20 % motion.

    Readings advance 1/1,600 s apart (a 14,000-elder district's load), elders picked at random.
    """
    rng = random.Random(seed)
    start = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    out: list[Reading] = []
    for i in range(n_readings):
        elder = rng.randrange(n_elders) + 1
        ts = start + timedelta(seconds=i / 1600)
        roll = rng.random()
        if roll < 0.5:
            code = HEART_RATE if i % 2 else RESPIRATORY_RATE
            value: Any = rng.randint(55, 85) if code == HEART_RATE else rng.randint(12, 20)
            out.append(Reading(f"b{i}", elder * 10 + 2, elder, "vital", code, value, "/min", ts, ts))
        elif roll < 0.8:
            pick = rng.random()
            if pick < 0.4:
                out.append(
                    Reading(f"w{i}", elder * 10 + 1, elder, "vital", HEART_RATE, rng.randint(60, 95), "/min", ts, ts)
                )
            elif pick < 0.7:
                out.append(Reading(f"w{i}", elder * 10 + 1, elder, "vital", SPO2, rng.randint(94, 99), "%", ts, ts))
            else:
                out.append(Reading(f"w{i}", elder * 10 + 1, elder, "tech", HEARTBEAT, None, "", ts, ts))
        else:
            room = rng.choice(ROOMS)
            out.append(Reading(f"m{i}", elder * 10 + 4, elder, "activity", MOTION, room, "", ts, ts))
    return out


def rules_only(n_elders: int = 14_000, n_readings: int = 400_000, repeats: int = 3) -> dict[str, Any]:
    """Feed pre-built readings through one Engine on one core; best of `repeats` runs."""
    readings = build_readings(n_elders, n_readings)
    best = 0.0
    for _ in range(repeats):
        engine = Engine(default_ruleset())
        # warm the states (first reading of each elder allocates)
        for elder in range(1, n_elders + 1):
            engine.state(elder)
        feed = engine.feed
        began = time.perf_counter()
        for reading in readings:
            feed(reading, reading.device_ts)
        elapsed = time.perf_counter() - began
        best = max(best, len(readings) / elapsed)
    return {"rules_only_readings_per_s": round(best), "rules_only_readings": n_readings, "rules_only_elders": n_elders}


def timer_lateness(n_elders: int = 14_000, duration_s: float = 20.0, seed: int = 3) -> dict[str, Any]:
    """14,000 elders each hold a timer due within `duration_s`; a real-time loop fires them.

    Each elder gets a bed exit at night (the 30-min night bed-exit timer) and is then fed so that
    its deadline falls at a random moment of the run (state times shifted onto the wall clock).
    The loop sleeps until the heap's next deadline and calls `advance(now)`; lateness is the wall
    time of the firing minus the deadline.
    """
    rng = random.Random(seed)
    rules = default_ruleset()
    engine = Engine(rules)
    wall0 = time.time() + 1.0
    deadlines: dict[int, float] = {}
    for elder in range(1, n_elders + 1):
        due = wall0 + rng.uniform(0, duration_s)
        # a bed exit at night such that the 30-minute night timer is due at `due`
        exit_ts = due - 1800
        local = rules.local(exit_ts)
        state = engine.state(elder)
        state.has_routine = True
        state.has_bed = True
        state.bed_dev = elder * 10 + 2
        state.in_bed = False
        state.bed_out_ts = exit_ts
        state.bed_out_night_end = due + 3600
        state.last_act = exit_ts
        state.day = int(local // 86400)
        state.woke_day = state.day
        state.night = int((local + 43200) // 86400)
        state.t_wake = due + 86400
        state.dirty = True
        _recompute(state, rules)
        engine._schedule(elder, state)
        deadlines[elder] = due
    lateness: list[float] = []
    fired = 0
    end = wall0 + duration_s + 2.0
    while True:
        nxt = engine.next_deadline()
        now = time.time()
        if nxt is None or now > end:
            break
        wait = nxt.timestamp() - now
        if wait > 0:
            time.sleep(min(wait, 0.05))
            continue
        moment = datetime.fromtimestamp(time.time(), tz=UTC)
        for command in engine.advance(moment):
            if type(command) is RaiseAlert and command.alert_type == "night_bed_exit":
                fired += 1
                lateness.append(moment.timestamp() - deadlines[command.elder_id])
    lateness.sort()

    def pct(q: float) -> float | None:
        if not lateness:
            return None
        return round(1000 * lateness[min(len(lateness) - 1, int(q * len(lateness)))], 2)

    return {
        "timer_lateness_p99_ms": pct(0.99),
        "timer_lateness_p50_ms": pct(0.5),
        "timer_lateness_max_ms": round(1000 * lateness[-1], 2) if lateness else None,
        "timers": n_elders,
        "timers_fired": fired,
        "timer_run_s": duration_s,
    }


def monitoring(duration_s: float = 20.0, n_elders: int = 14_000) -> dict[str, Any]:
    """Rules-only part of `yiyang bench monitoring` (end-to-end keys are filled by the devices app)."""
    result: dict[str, Any] = {
        "end_to_end_readings_per_s": None,
        "broker_only_messages_per_s": None,
        "p50_latency_ms": None,
        "p99_latency_ms": None,
        "pending": "end_to_end, broker_only and latency come from yiyang.devices.bench.end_to_end()",
    }
    result.update(rules_only(n_elders))
    result.update(timer_lateness(n_elders, duration_s))
    result["targets"] = {"rules_only_readings_per_s": 100_000, "timer_lateness_p99_ms": 1000}
    return result


def detection(n_elders: int = 200, days: int = 60, seed: int = 1, bed_interval_s: float = 300.0) -> dict[str, Any]:
    """Replay simulated months with injected incidents; per alert type sensitivity, time to detect, FAs.

    An incident is detected by the first alert of one of its expected types for that elder between
    its start and its end (+2 h); time to detect is from the incident start (for a collapse, the
    moment activity stops, which is at or after the last movement the inactivity timer counts from,
    so it never exceeds the inactivity threshold). Any other alert of the
    elder inside an incident window is related, not false. Every other alert episode (a RaiseAlert
    with repeat 0) is a false alert; health and routine false alerts are reported apart from
    technical ones.
    """
    began = time.perf_counter()
    engine = Engine(default_ruleset())
    for profile in profiles(n_elders, seed):
        if profile.flags:
            engine.set_rules(profile.elder_id, resolve_ruleset(flags=profile.flags))
    labels: list[Label] = []
    alerts: list[RaiseAlert] = []
    readings = 0
    last = None
    # the streams end at each elder's wake after the last day: judge alerts up to the last midnight
    first = None
    for reading, label in simulate_days(n_elders, days, seed, bed_interval_s=bed_interval_s, heartbeat_interval_s=600):
        if label is not None:
            labels.append(label)
        when = reading.device_ts
        if first is None:
            first = when
        if last is None or when > last:
            for command in engine.advance_to(when):
                if type(command) is RaiseAlert:
                    alerts.append(command)
            last = when
        for command in engine.feed(reading, last):
            if type(command) is RaiseAlert:
                alerts.append(command)
            elif type(command) is ConditionCleared:
                pass
        readings += 1
    elapsed = time.perf_counter() - began
    by_elder: dict[int, list[Label]] = defaultdict(list)
    for label in labels:
        by_elder[label.elder_id].append(label)
    detected: dict[int, float] = {}  # label index -> minutes
    label_index = {id(label): i for i, label in enumerate(labels)}
    cutoff = (first or datetime.now(UTC)) + timedelta(days=days) - timedelta(hours=6)
    alerts = [alert for alert in alerts if alert.at < cutoff]
    false_by_type: dict[str, int] = defaultdict(int)
    last_raise: dict[tuple[int, str], datetime] = {}
    for alert in alerts:
        key = (alert.elder_id, alert.alert_type)
        previous = last_raise.get(key)
        last_raise[key] = alert.at
        # an episode: the engine's first raise, or a raise 6 h after the last one (sos, fall repeats)
        episode = alert.detail.get("repeat", 0) == 0 or previous is None or alert.at - previous > timedelta(hours=6)
        related = False
        for label in by_elder.get(alert.elder_id, ()):
            if label.start - timedelta(minutes=1) <= alert.at <= label.end + timedelta(hours=2):
                related = True
                if alert.alert_type in label.expected:
                    i = label_index[id(label)]
                    minutes = (alert.at - label.start).total_seconds() / 60
                    if i not in detected or minutes < detected[i]:
                        detected[i] = minutes
        if not related and episode:
            false_by_type[alert.alert_type] += 1
    elder_days = n_elders * days
    per_type: dict[str, Any] = {}
    for kind in INCIDENT_TYPES:
        idx = [i for i, label in enumerate(labels) if label.incident == kind]
        found = [detected[i] for i in idx if i in detected]
        per_type[kind] = {
            "incidents": len(idx),
            "detected": len(found),
            "sensitivity": round(len(found) / len(idx), 3) if idx else None,
            "mean_time_to_detect_min": round(sum(found) / len(found), 1) if found else None,
            "max_time_to_detect_min": round(max(found), 1) if found else None,
        }
    health_false = sum(v for k, v in false_by_type.items() if k not in TECHNICAL_TYPES)
    tech_false = sum(v for k, v in false_by_type.items() if k in TECHNICAL_TYPES)
    by_alert_type = {
        alert_type: {"false_alerts": count, "false_alerts_per_elder_day": round(count / elder_days, 5)}
        for alert_type, count in sorted(false_by_type.items())
    }
    return {
        "elders": n_elders,
        "days": days,
        "elder_days": elder_days,
        "readings": readings,
        "seconds": round(elapsed, 1),
        "incidents": per_type,
        "false_alerts_by_type": by_alert_type,
        "false_alerts_per_elder_day": round(health_false / elder_days, 5),
        "technical_false_alerts_per_elder_day": round(tech_false / elder_days, 5),
        # issue 4: "sensitivity >= 90 % for every type, inactivity detected in <= 2 h by day, <= 0.02 false
        # alerts per elder-day" (every collapse, so the max, not only the mean)
        "targets": {
            "sensitivity": 0.9,
            "inactivity_mean_time_to_detect_min": 120,
            "inactivity_max_time_to_detect_min": 120,
            "false_alerts_per_elder_day": 0.02,
        },
    }
