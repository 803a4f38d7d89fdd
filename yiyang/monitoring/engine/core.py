"""The pure per-elder step: `step(state, event, now, rules) -> (state, commands)`.

No I/O, no clock reads, no ORM: time comes in as `now` (an aware datetime), rules as a resolved
`RuleSet`. The step mutates and returns the same `ElderState` for speed. `next_deadline(state)` says
when the elder next needs a `Tick` (inactivity, late wake-up, night bed exit, night door exit,
not-worn, device offline, a deferred rule after a suppression ends).

Order inside one reading step: timers due strictly before the reading's device time fire first
(with that deadline as their time), then the reading, then timers due by `now`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from yiyang.monitoring.engine.contract import (
    ALARM_FALL,
    ALARM_FALL_CANCEL,
    ALARM_NOT_WORN,
    ALARM_SOS,
    BATTERY,
    BED_OCCUPANCY,
    BODY_TEMPERATURE,
    DOOR,
    HEART_RATE,
    HEARTBEAT,
    MOTION,
    RESPIRATORY_RATE,
    SPO2,
    SYSTOLIC_BP,
    WORN,
    Command,
    ConditionCleared,
    DeviceStatus,
    DowngradeAlert,
    MarkReading,
    RaiseAlert,
    Reading,
    Tick,
)
from yiyang.monitoring.engine.events import ClearSuppression, Event, SetSuppression
from yiyang.monitoring.engine.rules import SEVERITY_RANK, TECHNICAL_TYPES, RuleSet, Threshold
from yiyang.monitoring.engine.state import RING, ElderState

DAY = 86400
VITAL_TYPES = ("hr_high", "hr_low", "hr_watch", "spo2_low", "sbp_low", "bp_high", "rr_low", "rr_high", "news2")
N2_INDEX = {RESPIRATORY_RATE: 0, SPO2: 1, SYSTOLIC_BP: 2, HEART_RATE: 3, BODY_TEMPERATURE: 4}
N2_BUCKET_S = 120.0  # a parameter's score is confirmed by a second reading bucket >= 2 min later
ACTIVITY_CODES = frozenset({MOTION, DOOR, BED_OCCUPANCY})
MAX_CATCH_UP = 64
WAKE_CONFIRM_MIN_S = 600.0
WAKE_CONFIRM_MAX_S = 3600.0  # timers fired before one reading (bounded so a huge clock jump cannot loop)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


# ----------------------------------------------------------------------------------- NEWS2 bands
def _n2_rr(v: float) -> int:
    return 3 if v <= 8 else 1 if v <= 11 else 0 if v <= 20 else 2 if v <= 24 else 3


def _n2_spo2(v: float) -> int:
    return 3 if v <= 91 else 2 if v <= 93 else 1 if v <= 95 else 0


def _n2_spo2_scale2(v: float) -> int:  # on air: >= 88 scores 0
    return 3 if v <= 83 else 2 if v <= 85 else 1 if v <= 87 else 0


def _n2_sbp(v: float) -> int:
    return 3 if v <= 90 else 2 if v <= 100 else 1 if v <= 110 else 0 if v <= 219 else 3


def _n2_hr(v: float) -> int:
    return 3 if v <= 40 else 1 if v <= 50 else 0 if v <= 90 else 1 if v <= 110 else 2 if v <= 130 else 3


def _n2_temp(v: float) -> int:
    return 3 if v <= 35.0 else 1 if v <= 36.0 else 0 if v <= 38.0 else 1 if v <= 39.0 else 2


N2_SCORERS = (_n2_rr, _n2_spo2, _n2_sbp, _n2_hr, _n2_temp)


def news2_score(code: str, value: float, scale2: bool = False) -> int:
    """The NEWS2 sub-score of one parameter (standards.md §6.1); 0 for a code NEWS2 does not score."""
    index = N2_INDEX.get(code)
    if index is None:
        return 0
    if index == 1 and scale2:
        return _n2_spo2_scale2(value)
    return N2_SCORERS[index](value)


# ----------------------------------------------------------------------------------- public API
def step(state: ElderState, event: Event, now: datetime, rules: RuleSet) -> tuple[ElderState, list[Command]]:
    """Apply one event to one elder. Pure apart from mutating (and returning) `state`."""
    cmds: list[Command] = []
    n = now.timestamp()
    kind = type(event)
    if kind is Reading:
        _on_reading(state, rules, event, n, now, cmds)  # type: ignore[arg-type]
    elif kind is Tick:
        _fire_due(state, rules, n + 1e-6, now, cmds)
    elif kind is SetSuppression:
        until = event.until.timestamp()  # type: ignore[union-attr]
        state.supp[event.mode] = max(until, state.supp.get(event.mode, 0.0))  # type: ignore[union-attr]
        state.day_supp = True
        state.dirty = True
        _fire_due(state, rules, n, now, cmds)
    elif kind is ClearSuppression:
        state.supp.pop(event.mode, None)  # type: ignore[union-attr]
        state.hold.clear()
        state.dirty = True
        _fire_due(state, rules, n, now, cmds)
    else:
        raise TypeError(f"unknown event {event!r}")
    if state.dirty:
        _recompute(state, rules)
    return state, cmds


def next_deadline(state: ElderState) -> datetime | None:
    """When this elder next needs a Tick (never late; it may be early, then the Tick is a no-op)."""
    return None if state.deadline is None else _dt(state.deadline)


# ----------------------------------------------------------------------------------- alert gate
def _blocked(st: ElderState, rs: RuleSet, alert_type: str, severity: str, t: float) -> float | None:
    """Until when `alert_type` may not be raised (suppression or inhibition), or None."""
    if not st.supp and st.inhibit_until <= t:
        return None
    until = 0.0
    if alert_type not in rs.suppress_never:
        for mode, mode_until in st.supp.items():
            if mode_until > t:
                types = rs.suppress_modes.get(mode, frozenset())
                if "*" in types or alert_type in types:
                    until = max(until, mode_until)
    if (
        st.inhibit_until > t
        and severity in ("watch", "urgent")
        and alert_type not in TECHNICAL_TYPES
        and alert_type not in rs.inhibit_by
    ):
        until = max(until, st.inhibit_until)
    return until or None


def _raise(
    st: ElderState,
    rs: RuleSet,
    cmds: list[Command],
    t: float,
    at: datetime,
    alert_type: str,
    severity: str,
    rule: str,
    detail: dict[str, Any],
    rearm_s: float | None = None,
) -> str:
    """Raise unless blocked or already open at this severity recently. Returns raised/held/blocked."""
    if _blocked(st, rs, alert_type, severity, t) is not None:
        return "blocked"
    rank = SEVERITY_RANK[severity]
    record = st.open.get(alert_type)
    if record is not None:
        if rank <= record[0] and t - record[1] < (rs.rearm_s if rearm_s is None else rearm_s):
            return "held"
        record[0] = max(record[0], rank)
        record[1] = t
        record[2] += 1
        repeat = record[2]
    else:
        st.open[alert_type] = [rank, t, 0]
        repeat = 0
    detail["repeat"] = repeat
    cmds.append(RaiseAlert(st.elder_id, alert_type, severity, at, rule, detail))  # type: ignore[arg-type]
    if alert_type in rs.inhibit_by:
        st.inhibit_until = max(st.inhibit_until, t + rs.inhibit_s)
    return "raised"


def _clear(st: ElderState, cmds: list[Command], alert_type: str, at: datetime) -> None:
    if st.open.pop(alert_type, None) is not None:
        cmds.append(ConditionCleared(st.elder_id, alert_type, at))


# ----------------------------------------------------------------------------------- readings
def _on_reading(st: ElderState, rs: RuleSet, r: Reading, n: float, now: datetime, cmds: list[Command]) -> None:
    ts = r.device_ts.timestamp()
    if ts > n + rs.future_tolerance_s:
        cmds.append(MarkReading(r, False, "future"))
        return
    # Timers that were due before this reading happened fire first, at their own time.
    guard = 0
    while st.deadline is not None and st.deadline < ts and guard < MAX_CATCH_UP:
        due = st.deadline
        _fire_due(st, rs, due, _dt(due), cmds)
        _recompute(st, rs)
        guard += 1
    code = r.code
    q = r.quality
    if not q.valid:
        cmds.append(MarkReading(r, False, q.reason or "device_invalid"))
        return
    dev = st.devs.get(r.device_id)
    if dev is not None:
        if ts > dev[0]:
            dev[0] = ts
        if dev[3]:
            _device_back(st, rs, r.device_id, dev, ts, now, cmds)
    if q.worn is not None:
        _worn(st, q.worn, ts, r.device_id, now, cmds)
    rng = rs.ranges.get(code)
    if rng is not None:
        value = r.value
        if type(value) is not float and type(value) is not int:
            try:
                value = float(value)
            except (TypeError, ValueError):
                cmds.append(MarkReading(r, False, "bad_value"))
                return
            if math.isnan(value):
                cmds.append(MarkReading(r, False, "bad_value"))
                return
        if q.worn is False:
            cmds.append(MarkReading(r, False, "not_worn"))
            return
        if q.signal is not None and q.signal < rs.min_signal:
            cmds.append(MarkReading(r, False, "poor_signal"))
            return
        if not rng[1] <= value <= rng[2]:
            cmds.append(MarkReading(r, False, f"{rng[0]}_out_of_range"))
            return
        if r.device_id == st.bed_dev and not st.in_bed:
            cmds.append(MarkReading(r, False, "empty_bed"))
            return
        cmds.append(MarkReading(r, True))
        _vital(st, rs, code, value, ts, now, cmds)
    elif code in ACTIVITY_CODES:
        value = r.value
        if (code == BED_OCCUPANCY and value not in ("in", "out")) or (code == DOOR and value not in ("open", "closed")):
            cmds.append(MarkReading(r, False, "bad_value"))
            return
        if code == MOTION and (not isinstance(value, str) or not value):
            cmds.append(MarkReading(r, False, "bad_value"))
            return
        cmds.append(MarkReading(r, True))
        _activity(st, rs, r, code, value, ts, now, cmds)
    elif code == ALARM_SOS:
        cmds.append(MarkReading(r, True))
        rule = rs.rules["sos"]
        if rule.enabled:
            _raise(
                st, rs, cmds, n, now, "sos", rule.severity, "sos", {"device_id": r.device_id}, rule.params["rearm_s"]
            )
    elif code == ALARM_FALL:
        cmds.append(MarkReading(r, True))
        rule = rs.rules["fall"]
        if rule.enabled:
            p = rule.params
            result = _raise(
                st, rs, cmds, n, now, "fall", rule.severity, "fall", {"device_id": r.device_id}, p["rearm_s"]
            )
            if result == "raised":
                st.fall_ts = ts
                st.fall_until = ts + float(p["confirm_window_s"])
    elif code == ALARM_FALL_CANCEL:
        cmds.append(MarkReading(r, True))
        if st.fall_until is not None and st.fall_ts is not None and st.fall_ts <= ts <= st.fall_until:
            _downgrade_fall(st, rs, str(rs.p("fall")["cancel_severity"]), "cancelled", now, cmds)
    elif code in (HEARTBEAT, BATTERY, WORN, ALARM_NOT_WORN):
        cmds.append(MarkReading(r, True))
        _tech(st, rs, r, code, ts, n, now, cmds)
    else:
        cmds.append(MarkReading(r, False, "unknown_code"))
        return
    if st.deadline is not None and st.deadline <= n:
        if st.dirty:
            _recompute(st, rs)
        _fire_due(st, rs, n, now, cmds)


# ----------------------------------------------------------------------------------- vitals
def _threshold(st: ElderState, spec: Threshold, v: float, ts: float) -> int:
    """Advance one threshold tracker: 1 = persisted breach (raise), 2 = hysteresis cleared, 0 = nothing."""
    trk = st.trk.get(spec.rule)
    if spec.breached(v):
        if trk is None:
            trk = [ts, ts, 1, False, None]
            st.trk[spec.rule] = trk
        else:
            if trk[2] == 0 or ts - trk[1] > spec.max_gap_s:
                trk[0] = ts
                trk[2] = 1
            else:
                trk[2] += 1
            trk[1] = ts
            trk[4] = None
        count = trk[2]
        span = ts - trk[0]
        if spec.any:
            ok = count >= spec.min_count or (count >= 2 and span >= spec.min_span_s)
        else:
            ok = count >= spec.min_count and span >= spec.min_span_s
        if ok:
            trk[3] = True
            return 1
        return 0
    if trk is None:
        return 0
    trk[2] = 0
    if not trk[3]:
        del st.trk[spec.rule]
        return 0
    if spec.in_band(v):
        if trk[4] is None:
            trk[4] = ts
        if ts - trk[4] >= spec.clear_s:
            del st.trk[spec.rule]
            return 2
    else:
        trk[4] = None
    return 0


def _vital(st: ElderState, rs: RuleSet, code: str, v: float, ts: float, now: datetime, cmds: list[Command]) -> None:
    specs = rs.thresholds.get(code)
    if specs:
        for spec in specs:
            result = _threshold(st, spec, v, ts)
            if result == 1:
                if spec.baseline_margin is not None:
                    # hr_watch: only a change against the personal resting baseline is news
                    if "hr_high" in st.open or "hr_low" in st.open:
                        continue
                    if st.hr_n >= spec.baseline_min_readings and (
                        (spec.high and st.hr_base >= spec.threshold - spec.baseline_margin)
                        or (not spec.high and st.hr_base <= spec.threshold + spec.baseline_margin)
                    ):
                        continue
                trk = st.trk[spec.rule]
                _raise(
                    st,
                    rs,
                    cmds,
                    ts,
                    now,
                    spec.alert_type,
                    spec.severity,
                    spec.rule,
                    # The threshold in force for this elder (district override, COPD scale), so the alert
                    # says what it was measured against.
                    {
                        "code": code,
                        "value": v,
                        "threshold": spec.threshold,
                        "count": trk[2],
                        "since": _dt(trk[0]).isoformat(),
                    },
                )
            elif result == 2:
                others = rs.type_rules.get(spec.alert_type, ())
                if not any(st.trk.get(rule) is not None and st.trk[rule][3] for rule in others):
                    _clear(st, cmds, spec.alert_type, now)
    if code == HEART_RATE:
        if st.hr_n == 0:
            st.hr_base = v
        else:
            st.hr_base += 0.01 * (v - st.hr_base)
        st.hr_n += 1
    elif code == BODY_TEMPERATURE:
        _temperature(st, rs, v, ts, now, cmds)
    n2 = rs.rules["news2"]
    if n2.enabled:
        index = N2_INDEX.get(code)
        if index is not None:
            _news2(st, rs, index, v, ts, now, cmds)


def _temperature(st: ElderState, rs: RuleSet, v: float, ts: float, now: datetime, cmds: list[Command]) -> None:
    rule = rs.rules["temperature"]
    if not rule.enabled:
        return
    p = rule.params
    repeated = float(p["repeated"])
    personal = st.temp_n >= int(p["baseline_min_readings"])
    if v >= repeated:
        if st.temp_run and ts - st.temp_run_ts <= float(p["repeat_max_gap_s"]):
            st.temp_run += 1
        else:
            st.temp_run = 1
        st.temp_run_ts = ts
    else:
        st.temp_run = 0
    why = ""
    if v >= float(p["once"]):
        why = "once"
    elif st.temp_run >= int(p["repeat_count"]):
        why = "repeated"
    elif personal and v >= st.temp_base + float(p["baseline_rise"]):
        why = "baseline"
    if why:
        st.temp_active = True
        st.temp_clear = None
        severity = rule.severity
        if any(t in st.open for t in VITAL_TYPES):
            severity = str(p["severity_with_other"])
        detail: dict[str, Any] = {"code": BODY_TEMPERATURE, "value": v, "criterion": why}
        if personal:
            detail["baseline"] = round(st.temp_base, 2)
        _raise(st, rs, cmds, ts, now, "temperature", severity, "temperature", detail)
    elif st.temp_active:
        if v <= float(p["clear_below"]):
            if st.temp_clear is None:
                st.temp_clear = ts
            if ts - st.temp_clear >= float(p["clear_s"]):
                st.temp_active = False
                st.temp_clear = None
                _clear(st, cmds, "temperature", now)
        else:
            st.temp_clear = None
    if v < repeated and not st.temp_active:
        st.temp_base = v if st.temp_n == 0 else st.temp_base + 0.1 * (v - st.temp_base)
        st.temp_n += 1


def _news2(st: ElderState, rs: RuleSet, index: int, v: float, ts: float, now: datetime, cmds: list[Command]) -> None:
    score = _n2_spo2_scale2(v) if index == 1 and rs.news2_scale2 else N2_SCORERS[index](v)
    slot = st.n2[index]
    # slot = [current bucket start, current bucket min score, previous bucket min (-1 none), previous start, last ts]
    if slot is None:
        slot = [ts, score, -1.0, 0.0, ts]
        st.n2[index] = slot
        prev_score = 0.0
    else:
        prev_score = min(slot[1], slot[2]) if slot[2] >= 0 else 0.0
        if ts - slot[0] >= N2_BUCKET_S:
            slot[2], slot[3] = slot[1], slot[0]
            slot[0], slot[1] = ts, score
        elif score < slot[1]:
            slot[1] = score
        slot[4] = ts
    if score == 0 and prev_score == 0 and not st.n2_active:
        return
    p = rs.rules["news2"].params
    fresh = float(p["fresh_s"])
    total = 0.0
    params = 0
    red = False
    red_score = float(p["red_score"])
    for s in st.n2:
        if s is None or ts - s[4] > fresh or s[2] < 0 or ts - s[3] > fresh:
            continue
        confirmed = min(s[1], s[2])
        params += 1
        total += confirmed
        if confirmed >= red_score:
            red = True
    severity = ""
    if params >= int(p["min_params"]) and total >= float(p["emergency_at"]):
        severity = "emergency"
    elif (params >= int(p["min_params"]) and total >= float(p["urgent_at"])) or red:
        severity = "urgent"
    if severity:
        st.n2_active = True
        st.n2_clear = None
        _raise(st, rs, cmds, ts, now, "news2", severity, "news2", {"score": total, "params": params, "red": red})
    elif st.n2_active:
        if st.n2_clear is None:
            st.n2_clear = ts
        if ts - st.n2_clear >= float(p["clear_s"]):
            st.n2_active = False
            st.n2_clear = None
            _clear(st, cmds, "news2", now)


# ----------------------------------------------------------------------------------- falls, tech
def _downgrade_fall(
    st: ElderState, rs: RuleSet, severity: str, reason: str, now: datetime, cmds: list[Command]
) -> None:
    st.fall_until = None
    record = st.open.get("fall")
    if record is not None:
        record[0] = SEVERITY_RANK[severity]
    cmds.append(DowngradeAlert(st.elder_id, "fall", severity, now, reason))  # type: ignore[arg-type]


def _tech(
    st: ElderState, rs: RuleSet, r: Reading, code: str, ts: float, n: float, now: datetime, cmds: list[Command]
) -> None:
    device_id = r.device_id
    if code == HEARTBEAT:
        p = rs.p("device_offline")
        dev = st.devs.get(device_id)
        if dev is None:
            st.devs[device_id] = [ts, float(p["default_interval_s"]), ts, 0]
        else:
            gap = ts - dev[2]
            if gap > 0:
                # learn the expected interval from the heartbeats themselves (EWMA, clamped)
                est = 0.7 * dev[1] + 0.3 * gap
                dev[1] = min(max(est, float(p["min_interval_s"])), float(p["max_interval_s"]))
                dev[2] = ts
            if ts > dev[0]:
                dev[0] = ts
        st.dirty = True
        cmds.append(DeviceStatus(device_id, now, online=True))
    elif code == BATTERY:
        try:
            level = int(r.value)
        except (TypeError, ValueError):
            return
        cmds.append(DeviceStatus(device_id, now, battery=level))
        rule = rs.rules["battery_low"]
        if not rule.enabled:
            return
        threshold = int(rule.params["threshold"])
        if level <= threshold:
            if device_id not in st.batt_low:
                st.batt_low.append(device_id)
            _raise(
                st,
                rs,
                cmds,
                n,
                now,
                "battery_low",
                rule.severity,
                "battery_low",
                {"device_id": device_id, "battery": level},
            )
        elif level >= threshold + int(rule.params["clear_margin"]) and device_id in st.batt_low:
            st.batt_low.remove(device_id)
            if not st.batt_low:
                _clear(st, cmds, "battery_low", now)
    elif code == WORN:
        worn = bool(r.value)
        cmds.append(DeviceStatus(device_id, now, worn=worn))
        _worn(st, worn, ts, device_id, now, cmds)
    elif code == ALARM_NOT_WORN:
        cmds.append(DeviceStatus(device_id, now, worn=False))
        _worn(st, False, ts, device_id, now, cmds)


def _worn(st: ElderState, worn: bool, ts: float, device_id: int, now: datetime, cmds: list[Command]) -> None:
    if worn:
        if st.not_worn_since is not None:
            st.not_worn_since = None
            st.worn_fired = False
            st.dirty = True
            _clear(st, cmds, "not_worn", now)
    elif st.not_worn_since is None:
        st.not_worn_since = ts
        st.worn_fired = False
        st.dirty = True


def _device_back(
    st: ElderState, rs: RuleSet, device_id: int, dev: list[float], ts: float, now: datetime, cmds: list[Command]
) -> None:
    dev[3] = 0
    st.dirty = True
    cmds.append(DeviceStatus(device_id, now, online=True))
    if not any(d[3] for d in st.devs.values()):
        _clear(st, cmds, "device_offline", now)


# ----------------------------------------------------------------------------------- routine
def _local(rs: RuleSet, ts: float) -> tuple[int, float]:
    loc = rs.local(ts)
    day = int(loc // DAY)
    return day, loc - day * DAY


def _in_window(sod: float, start: int, end: int) -> bool:
    return start <= sod < end if start <= end else sod >= start or sod < end


def _quantile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return float(ordered[index])


def _ring_values(ring: Any, count: int) -> list[int]:
    return [int(ring[i]) for i in range(min(count, RING))]


def _activity(
    st: ElderState, rs: RuleSet, r: Reading, code: str, value: Any, ts: float, now: datetime, cmds: list[Command]
) -> None:
    day, sod = _local(rs, ts)
    _rollover(st, rs, ts, now, cmds)
    st.has_routine = True
    st.dirty = True
    if st.supp:
        st.day_supp = True
    wake_signal = False
    if code == BED_OCCUPANCY:
        st.has_bed = True
        st.bed_dev = r.device_id
        if value == "in":
            st.in_bed = True
            st.bed_out_ts = None
            st.bed_out_night_end = None
            st.night_fired = False
            _clear(st, cmds, "night_bed_exit", now)
        else:
            st.in_bed = False
            st.bed_out_ts = ts
            wake_signal = True
            night_end = st.night_end_s if st.night_end_s is not None else rs.night_end_s
            if _in_window(sod, rs.night_start_s, night_end):
                end_day = day + 1 if sod >= rs.night_start_s else day
                st.bed_out_night_end = end_day * DAY + night_end - rs.offset(ts)
            else:
                st.bed_out_night_end = None
        if _in_window(sod, rs.night_start_s, rs.night_end_s):
            st.night_data = True
    elif code == MOTION:
        wake_signal = True
        st.day_count += 1
        if st.away:
            if st.away_since is not None and ts - st.away_since >= 900:
                st.day_out = True
            st.away = False
            st.away_since = None
        if st.t_door is not None or st.door_fired:
            st.t_door = None
            st.door_fired = False
            _clear(st, cmds, "night_door_exit", now)
        if st.night_fired:
            st.night_fired = False
            _clear(st, cmds, "night_bed_exit", now)
        night = _in_window(sod, rs.night_start_s, rs.night_end_s)
        if night:
            st.night_data = True
        nb = rs.rules["night_bathroom"]
        if value in nb.params["rooms"]:
            st.has_bath = True
            if night and (
                st.last_room != value or st.last_bath is None or ts - st.last_bath >= float(nb.params["visit_gap_s"])
            ):
                st.night_visits += 1
            st.last_bath = ts
        st.last_room = value
        st.last_motion = ts
        if st.fall_until is not None and st.fall_ts is not None:
            fall = rs.p("fall")
            if st.fall_ts + float(fall["movement_grace_s"]) < ts <= st.fall_until:
                _downgrade_fall(st, rs, str(fall["movement_severity"]), "movement", now, cmds)
    else:  # DOOR
        wake_signal = True
        if not st.away:
            st.away = True
            st.away_since = ts
        door = rs.rules["night_door_exit"]
        if (
            value == "open"
            and door.enabled
            and door.params["requires_flag"] in rs.flags
            and _in_window(sod, _hhmm_s(door.params["start"]), _hhmm_s(door.params["end"]))
        ):
            st.t_door = ts + float(door.params["reentry_s"])
            st.door_fired = False
    # inactivity gap learning: only gaps that were armed (daytime, home, out of bed) are periods
    if st.last_act is not None and st.last_act_armed:
        gap = ts - st.last_act
        if gap >= float(rs.p("inactivity")["min_gap_s"]):
            last_day, last_sod = _local(rs, st.last_act)
            st.hist_add(last_day, int(last_sod // 3600), gap)
    if st.last_act is None or ts >= st.last_act:
        st.last_act = ts
    if st.inact_fired:
        st.inact_fired = False
        _clear(st, cmds, "inactivity", now)
    st.hold.pop("inactivity", None)
    if code == BED_OCCUPANCY and value == "in":
        st.wake_cand = None  # back to bed: the bed exit was a night visit, not getting up
    elif wake_signal and st.woke_day != day and sod >= rs.wake_earliest_s:
        # A wake signal is the first bed exit / motion after night, confirmed by more activity
        # 10-60 min later while out of bed (a bathroom trip back to bed is not getting up).
        cand = st.wake_cand
        if cand is None or ts - cand > WAKE_CONFIRM_MAX_S:
            st.wake_cand = ts
        elif ts - cand >= WAKE_CONFIRM_MIN_S and not st.in_bed:
            cand_day, cand_sod = _local(rs, cand)
            st.woke_day = day
            st.wake_today = int(cand_sod // 60) if cand_day == day else int(sod // 60)
            st.wake_cand = None
            _clear(st, cmds, "late_wakeup", now)
            st.t_wake = _wake_deadline(st, rs, day + 1, ts)
    st.last_act_armed = _inactivity_deadline(st, rs) is not None


def _hhmm_s(value: Any) -> int:
    hours, minutes = str(value).split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _wake_deadline(st: ElderState, rs: RuleSet, day: int, ts: float) -> float | None:
    rule = rs.rules["late_wakeup"]
    if not rule.enabled:
        return None
    p = rule.params
    if st.days_obs >= rs.learning_days and st.wake_n >= rs.learning_days // 2:
        p95 = _quantile(_ring_values(st.wake_ring, st.wake_n), 0.95) * 60
    else:
        p95 = _hhmm_s(p["population_p95_wake"])
    return day * DAY + p95 + float(p["margin_s"]) - rs.offset(ts)


def _rollover(st: ElderState, rs: RuleSet, ts: float, now: datetime, cmds: list[Command]) -> None:
    loc = rs.local(ts)
    day = int(loc // DAY)
    night = int((loc + DAY // 2) // DAY)
    if st.day is None:
        st.day = day
        st.night = night
        st.woke_day = day  # no late wake-up on the first (partial) day
        st.t_wake = _wake_deadline(st, rs, day + 1, ts)
        _refresh_baselines(st, rs)
        return
    if st.night is not None and night > st.night:
        _finish_night(st, rs, ts, now, cmds)
        st.night = night
    if day > st.day:
        first = max(st.day, day - RING)
        for d in range(first, day):
            _finish_day(st, rs, d, ts, now, cmds)
        st.day = day
        st.wake_cand = None
        _refresh_baselines(st, rs)
        if st.woke_day != day:
            st.t_wake = _wake_deadline(st, rs, day, ts)
        st.dirty = True


def _finish_day(st: ElderState, rs: RuleSet, d: int, ts: float, now: datetime, cmds: list[Command]) -> None:
    has_data = st.day_count > 0
    if has_data and not st.day_supp:
        rule = rs.rules["housebound"]
        p = rule.params
        if st.days_obs >= rs.learning_days and st.act_n >= rs.learning_days:
            # the baseline leaves out the current low streak, so a decline cannot hide itself
            recent = {(st.act_n - 1 - k) % RING for k in range(min(st.low_days, int(p["days"])))}
            values = [int(st.act_ring[i]) for i in range(min(st.act_n, RING)) if i not in recent]
            p5 = _quantile(values, float(p["quantile"])) if values else float(p["population_p5"])
        else:
            p5 = float(p["population_p5"])
        if st.day_count < p5:
            st.low_days += 1
            if rule.enabled and st.low_days >= int(p["days"]):
                _raise(
                    st, rs, cmds, ts, now, "housebound", rule.severity, "housebound",
                    {"activity": st.day_count, "p5": p5, "days": st.low_days, "days_without_going_out": st.no_out_days},
                )  # fmt: skip
        else:
            st.low_days = 0
            _clear(st, cmds, "housebound", now)
        st.act_ring[st.act_n % RING] = min(st.day_count, 65535)
        st.act_n += 1
        st.no_out_days = 0 if (st.day_out or st.away) else st.no_out_days + 1
        if st.woke_day == d:
            st.wake_ring[st.wake_n % RING] = st.wake_today
            st.wake_n += 1
        st.days_obs += 1
    if (d + 1) // 7 != d // 7:
        st.hist_clear_week(d + 1)
    st.day_count = 0
    st.day_out = False
    st.day_supp = bool(st.supp)


def _finish_night(st: ElderState, rs: RuleSet, ts: float, now: datetime, cmds: list[Command]) -> None:
    if st.has_bath and st.night_data and not st.day_supp:
        rule = rs.rules["night_bathroom"]
        p = rule.params
        if st.nights_obs >= rs.learning_days and st.bath_n >= rs.learning_days:
            values = _ring_values(st.bath_ring, st.bath_n)
            mean = sum(values) / len(values)
            sd = math.sqrt(sum((x - mean) ** 2 for x in values) / len(values))
        else:
            mean, sd = float(p["population_mean"]), float(p["population_sd"])
        limit = mean + float(p["sd_k"]) * max(sd, float(p["min_sd"]))
        if st.night_visits > limit:
            st.bath_high += 1
            if rule.enabled and st.bath_high >= int(p["nights"]):
                _raise(
                    st, rs, cmds, ts, now, "night_bathroom", rule.severity, "night_bathroom",
                    {"visits": st.night_visits, "limit": round(limit, 2), "nights": st.bath_high},
                )  # fmt: skip
        else:
            st.bath_high = 0
            _clear(st, cmds, "night_bathroom", now)
        st.bath_ring[st.bath_n % RING] = min(st.night_visits, 255)
        st.bath_n += 1
        st.nights_obs += 1
    st.night_visits = 0
    st.night_data = False


def _refresh_baselines(st: ElderState, rs: RuleSet) -> None:
    """Once a day: per-hour inactivity thresholds and the personal night end."""
    p = rs.p("inactivity")
    population = p["population_p99_min"]
    factor, floor, cap = float(p["factor"]), float(p["floor_s"]), float(p["cap_s"])
    personal = st.days_obs >= rs.learning_days
    thresholds = []
    for hour in range(24):
        p99 = st.hist_quantile_s(hour, 0.99, int(p["min_samples"])) if personal else None
        if p99 is None:
            p99 = float(population[hour]) * 60
        thresholds.append(int(min(max(factor * p99, floor), cap)))
    st.thr = thresholds
    wake = rs.p("late_wakeup")
    if personal and st.wake_n >= rs.learning_days // 2:
        median = _quantile(_ring_values(st.wake_ring, st.wake_n), 0.5) * 60
    else:
        median = _hhmm_s(wake["population_median_wake"])
    st.night_end_s = int(min(rs.night_end_s, median - 1800))


# ----------------------------------------------------------------------------------- timers
def _night_deadline(st: ElderState, rs: RuleSet) -> float | None:
    if st.in_bed or st.bed_out_ts is None or st.bed_out_night_end is None or st.night_fired:
        return None
    if not rs.rules["night_bed_exit"].enabled:
        return None
    start = st.bed_out_ts
    if st.last_motion is not None and st.last_motion > start:
        start = st.last_motion
    deadline = start + float(rs.p("night_bed_exit")["after_s"])
    return deadline if deadline < st.bed_out_night_end else None


def _inactivity_deadline(st: ElderState, rs: RuleSet) -> float | None:
    if st.last_act is None or st.in_bed or st.away or st.inact_fired or not rs.rules["inactivity"].enabled:
        return None
    if _night_deadline(st, rs) is not None:
        return None
    day, sod = _local(rs, st.last_act)
    daytime = st.woke_day == day or rs.day_start_s <= sod < rs.day_end_s
    if not daytime and not (st.has_bed and sod >= rs.day_start_s):
        return None
    if st.thr is None:
        _refresh_baselines(st, rs)
    assert st.thr is not None
    threshold = st.thr[int(sod // 3600)]
    if not st.has_bed and sod + threshold > rs.day_end_s:
        return None
    return st.last_act + threshold


def _worn_deadline(st: ElderState, rs: RuleSet) -> float | None:
    if st.not_worn_since is None or st.worn_fired or not rs.rules["not_worn"].enabled:
        return None
    after = float(rs.p("not_worn")["after_s"])
    start = st.not_worn_since
    day, sod = _local(rs, start)
    offset = rs.offset(start)
    span = rs.day_end_s - rs.day_start_s
    # count daytime seconds only
    if sod < rs.day_start_s:
        sod = rs.day_start_s
    elif sod >= rs.day_end_s:
        day += 1
        sod = rs.day_start_s
    while True:
        left = rs.day_end_s - sod
        if after <= left:
            return day * DAY + sod + after - offset
        after -= left
        day += 1
        sod = rs.day_start_s
        if span <= 0:
            return None


def _device_deadline(st: ElderState, rs: RuleSet) -> tuple[float, int] | None:
    if not st.devs or not rs.rules["device_offline"].enabled:
        return None
    factor = float(rs.p("device_offline")["factor"])
    best: tuple[float, int] | None = None
    for device_id, dev in st.devs.items():
        if dev[3]:
            continue
        deadline = dev[0] + factor * dev[1]
        if best is None or deadline < best[0]:
            best = (deadline, device_id)
    return best


def _held(st: ElderState, alert_type: str, deadline: float | None) -> float | None:
    if deadline is None:
        return None
    hold = st.hold.get(alert_type)
    return deadline if hold is None or hold <= deadline else hold


def _recompute(st: ElderState, rs: RuleSet) -> None:
    st.dirty = False
    candidates = [
        _held(st, "inactivity", _inactivity_deadline(st, rs)),
        _held(st, "night_bed_exit", _night_deadline(st, rs)),
        _held(st, "night_door_exit", None if st.door_fired else st.t_door),
        _held(st, "not_worn", _worn_deadline(st, rs)),
        st.t_wake if st.has_routine else None,
    ]
    device = _device_deadline(st, rs)
    if device is not None:
        candidates.append(device[0])
    best = None
    for candidate in candidates:
        if candidate is not None and (best is None or candidate < best):
            best = candidate
    st.deadline = best


def _fire_due(st: ElderState, rs: RuleSet, t: float, now: datetime, cmds: list[Command]) -> None:
    """Fire every timer due at or before `t` (epoch seconds); `now` is the same instant."""
    if st.day is not None:
        _rollover(st, rs, t, now, cmds)
    for mode in [m for m, until in st.supp.items() if until <= t]:
        del st.supp[mode]
    for alert_type in [a for a, until in st.hold.items() if until <= t]:
        del st.hold[alert_type]
    # late wake-up
    if st.has_routine and st.t_wake is not None and st.t_wake <= t:
        due_day, _ = _local(rs, st.t_wake)
        pending = st.wake_cand is not None and t - st.wake_cand <= WAKE_CONFIRM_MAX_S and not st.in_bed
        if st.woke_day != due_day and not st.away and not pending:
            rule = rs.rules["late_wakeup"]
            _raise(
                st, rs, cmds, t, now, "late_wakeup", rule.severity, "late_wakeup",
                {"deadline": _dt(st.t_wake).isoformat(), "personal": st.days_obs >= rs.learning_days},
            )  # fmt: skip
        st.t_wake = _wake_deadline(st, rs, due_day + 1, t)
    _fire(st, rs, t, now, cmds, "inactivity", _inactivity_deadline(st, rs))
    _fire(st, rs, t, now, cmds, "night_bed_exit", _night_deadline(st, rs))
    _fire(st, rs, t, now, cmds, "night_door_exit", None if st.door_fired else st.t_door)
    _fire(st, rs, t, now, cmds, "not_worn", _worn_deadline(st, rs))
    guard = 0
    while guard < 16:
        guard += 1
        device = _device_deadline(st, rs)
        if device is None or device[0] > t:
            break
        dev = st.devs[device[1]]
        dev[3] = 1
        cmds.append(DeviceStatus(device[1], now, online=False))
        rule = rs.rules["device_offline"]
        _raise(
            st, rs, cmds, t, now, "device_offline", rule.severity, "device_offline",
            {"device_id": device[1], "last_seen": _dt(dev[0]).isoformat(), "interval_s": round(dev[1])},
        )  # fmt: skip
    st.dirty = True


def _fire(
    st: ElderState, rs: RuleSet, t: float, now: datetime, cmds: list[Command], rule_id: str, deadline: float | None
) -> None:
    if deadline is None or deadline > t:
        return
    rule = rs.rules[rule_id]
    blocked = _blocked(st, rs, rule.alert_type, rule.severity, t)
    if blocked is not None:
        st.hold[rule.alert_type] = blocked
        return
    detail: dict[str, Any] = {"deadline": _dt(deadline).isoformat()}
    if rule_id == "inactivity" and st.last_act is not None:
        detail["last_activity"] = _dt(st.last_act).isoformat()
        detail["inactive_min"] = round((t - st.last_act) / 60)
        detail["personal"] = st.days_obs >= rs.learning_days
    _raise(st, rs, cmds, t, now, rule.alert_type, rule.severity, rule_id, detail)
    if rule_id == "inactivity":
        st.inact_fired = True
    elif rule_id == "night_bed_exit":
        st.night_fired = True
    elif rule_id == "night_door_exit":
        st.door_fired = True
    elif rule_id == "not_worn":
        st.worn_fired = True
