"""Engine: deadline heap, advance, snapshot/restore preserving timers, replay command, simulator."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from yiyang.monitoring.engine.contract import ALARM_FALL, BODY_TEMPERATURE, HEART_RATE, RaiseAlert
from yiyang.monitoring.engine.engine import Engine
from yiyang.monitoring.engine.readings import reading_from_json, reading_to_json
from yiyang.monitoring.engine.replay import replay
from yiyang.monitoring.engine.simulate import simulate_days

from .helpers import ELDER, bed, local, motion, rd


def _raised(commands):
    return [(c.elder_id, c.alert_type) for c in commands if isinstance(c, RaiseAlert)]


def test_engine_fires_timer_on_advance():
    engine = Engine()
    engine.feed(motion(local(0, "10:00")), local(0, "10:00"))
    assert engine.next_deadline() == local(0, "11:48")  # population threshold 108 min
    assert engine.advance(local(0, "11:47")) == []
    assert _raised(engine.advance(local(0, "11:48"))) == [(ELDER, "inactivity")]
    assert engine.advance(local(0, "13:00")) == []


def test_snapshot_restore_preserves_state_and_timers_missing_nothing():
    # given an engine with a night bed exit timer (due 02:30) and learned state
    engine = Engine()
    engine.feed(bed(local(0, "22:00"), "in"), local(0, "22:00"))
    engine.feed(bed(local(1, "02:00"), "out"), local(1, "02:00"))
    engine.feed(rd(BODY_TEMPERATURE, 37.3, local(1, "02:01")), local(1, "02:01"))
    data = engine.snapshot()
    # when the process dies at 02:05 and comes back at 02:40, after the deadline
    restored = Engine.from_snapshot(data)
    # then the timer is back and fires on the first advance
    assert restored.next_deadline() == local(1, "02:30")
    fired = restored.advance(local(1, "02:40"))
    assert _raised(fired) == [(ELDER, "night_bed_exit")]
    assert [c.at for c in fired if isinstance(c, RaiseAlert)] == [local(1, "02:40")]
    # and per-elder state survived: the second reading >= 37.2 makes the "repeated" criterion
    more = restored.feed(rd(BODY_TEMPERATURE, 37.3, local(1, "02:41")), local(1, "02:41"))
    assert _raised(more) == [(ELDER, "temperature")]
    assert restored.snapshot() != data


def test_snapshot_round_trip_is_stable():
    engine = Engine()
    for reading, _ in simulate_days(3, 3, seed=5, bed_interval_s=600):
        engine.advance_to(reading.device_ts)
        engine.feed(reading, reading.device_ts)
    data = engine.snapshot()
    assert Engine.from_snapshot(data).snapshot() == data
    assert len(data) < 20_000


def test_snapshot_rejects_garbage():
    with pytest.raises(ValueError):
        Engine().restore(b"not a snapshot")


def test_reading_json_round_trip():
    reading = rd(HEART_RATE, 72, local(0, "10:00"), signal=80)
    assert reading_from_json(json.loads(json.dumps(reading_to_json(reading)))) == reading


def _line(key, code, value, when, kind="vital", device=11, elder=1):
    return json.dumps(
        {"key": key, "device_id": device, "elder_id": elder, "kind": kind, "code": code, "value": value,
         "unit": "", "device_ts": when.isoformat()}
    )  # fmt: skip


def _jsonl(tmp_path):
    lines = [
        _line("a1", ALARM_FALL, None, local(0, "10:00"), "alarm"),
        "{not json",
        json.dumps({"key": "x", "device_id": 1}),
        _line("t1", BODY_TEMPERATURE, 38.2, local(0, "10:30"), elder=2),
        _line("m1", "motion", "kitchen", local(0, "10:40"), "activity", 13, elder=3),
        _line("m2", "motion", "kitchen", local(0, "13:00"), "activity", 13, elder=4),
        _line("t2", BODY_TEMPERATURE, 38.4, local(0, "14:30"), elder=2),
    ]
    path = tmp_path / "readings.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_replay_command_writes_exact_alert_lines(tmp_path):
    # given a fall, a fever and a motion followed by silence (elder 3 at 10:40 -> inactivity at 12:28)
    path = _jsonl(tmp_path)
    out, err = StringIO(), StringIO()
    # when
    call_command("replay", str(path), stdout=out, stderr=err)
    # then
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"elder_id": 1, "alert_type": "fall", "severity": "emergency", "opened_at": "2025-03-03T02:00:00+00:00"},
        {"elder_id": 2, "alert_type": "temperature", "severity": "watch", "opened_at": "2025-03-03T02:30:00+00:00"},
        {"elder_id": 3, "alert_type": "inactivity", "severity": "urgent", "opened_at": "2025-03-03T04:28:00+00:00"},
        # the fever is still there after the 60-min re-arm interval: raised again (the alert is updated)
        {"elder_id": 2, "alert_type": "temperature", "severity": "watch", "opened_at": "2025-03-03T06:30:00+00:00"},
    ]
    errors = err.getvalue().splitlines()
    assert errors[0].startswith("line 2: invalid JSON")
    assert errors[1].startswith("line 3: missing field(s): elder_id, kind, code, value, unit, device_ts")
    assert json.loads(errors[-1])["malformed"] == 2


def test_replay_output_file_and_rules_override(tmp_path):
    path = _jsonl(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  temperature:\n    params: {once: 38.3}\n", encoding="utf-8")
    output = tmp_path / "alerts.jsonl"
    call_command("replay", str(path), "--rules", str(rules), "--output", str(output), stderr=StringIO())
    alerts = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(a["elder_id"], a["alert_type"], a["opened_at"]) for a in alerts if a["elder_id"] == 2] == [
        (2, "temperature", "2025-03-03T06:30:00+00:00")  # 38.2 no longer counts "once"; 38.4 does
    ]


def test_replay_function_counts():
    stats = replay(["", _line("a", ALARM_FALL, None, local(0, "10:00"), "alarm"), "[]"])
    assert (stats.lines, stats.readings, stats.malformed, stats.alerts) == (3, 1, 1, 1)


def test_simulator_is_deterministic():
    rates = {"sos": 0.2, "fever": 0.2}

    def sim(seed):
        return [
            (r.key, r.device_ts, r.value, label)
            for r, label in simulate_days(4, 12, seed=seed, incidents=rates, first_incident_day=2)
        ]

    first, again, other = sim(11), sim(11), sim(12)
    assert first == again
    assert first != other
    times = [t for _, t, _, _ in first]
    assert times == sorted(times)
    labels = [label for *_, label in first if label is not None]
    assert labels and all(label.start <= label.end for label in labels)


def test_simulator_normal_days_have_no_labels_and_few_alerts():
    engine = Engine()
    alerts = []
    count = 0
    for reading, label in simulate_days(5, 10, seed=2, incidents={}, bed_interval_s=600):
        assert label is None
        alerts += _raised(engine.advance_to(reading.device_ts))
        alerts += _raised(engine.feed(reading, reading.device_ts))
        count += 1
    assert count > 5_000
    assert len([a for a in alerts if a[1] != "device_offline"]) <= 2


def test_simulated_incidents_are_detected():
    engine = Engine()
    labels, alerts = [], []
    rates = {"fall": 0.2, "collapse": 0.2, "sos": 0.1}
    for reading, label in simulate_days(4, 12, seed=3, incidents=rates, bed_interval_s=600, first_incident_day=2):
        if label:
            labels.append(label)
        alerts += [c for c in engine.advance_to(reading.device_ts) if isinstance(c, RaiseAlert)]
        alerts += [c for c in engine.feed(reading, reading.device_ts) if isinstance(c, RaiseAlert)]
    assert labels
    for label in labels:
        hits = [
            a for a in alerts
            if a.elder_id == label.elder_id and a.alert_type in label.expected
            and label.start - timedelta(minutes=1) <= a.at <= label.end
        ]  # fmt: skip
        assert hits, label
