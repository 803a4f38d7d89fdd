"""A runner in the intake process takes committed readings from the log instead of reading rows back."""

import json
from datetime import UTC, datetime
from typing import Any

from yiyang.devices.intake_log import IntakeLog, ReadingTable
from yiyang.devices.runner import CommandWriter, Runner
from yiyang.devices.tests.conftest import MQTT_ID
from yiyang.devices.tests.fakes import FakeAlerts, FakeEngine
from yiyang.devices.tests.test_intake_and_runner import mqtt_message
from yiyang.monitoring.engine import contract as c

T0 = datetime(2025, 5, 8, 8, 0, tzinfo=UTC)


class RecordingEngine(FakeEngine):
    def __init__(self) -> None:
        super().__init__()
        self.readings: list[c.Reading] = []

    def feed(self, reading: c.Reading, now: datetime) -> list[c.Command]:
        self.readings.append(reading)
        return super().feed(reading, now)


def runner_for(log: IntakeLog | None, name: str) -> tuple[Runner, RecordingEngine]:
    engine = RecordingEngine()
    runner = Runner(engine_factory=lambda: engine, writer=CommandWriter(alerts_apply=FakeAlerts()), name=name)
    if log is not None:
        runner.take_from(log)
    runner.start(T0)
    return runner, engine


def payload(n: int, **values: Any) -> str:
    return json.dumps({"ts": 1746691200000 + n * 1000, "id": f"h-{n}", "values": values})


def test_handed_over_readings_are_exactly_what_the_table_gives_back(kit):
    log = IntakeLog()
    runner, engine = runner_for(log, "handoff")
    log.append_batch([
        mqtt_message(payload(1, door="open")),
        mqtt_message(payload(2, hr=72.5, spo2=97)),
        mqtt_message('{"ts": 1746691203000, "signal": 12, "values": {"hr": 0}}'),
    ])  # fmt: skip
    assert log.handoff is not None and len(log.handoff) == 4
    runner.step(T0)
    assert log.handoff == {}
    from_table = [row.reading for row in ReadingTable().after(0, 100)]
    assert engine.readings == from_table
    assert [r.value for r in from_table] == ["open", 72.5, 97, 0]
    assert from_table[-1].quality == c.Quality(valid=True, signal=12)


def test_a_batch_with_a_duplicate_is_read_from_the_table_once(kit):
    log = IntakeLog()
    runner, engine = runner_for(log, "dup")
    log.append(mqtt_message(payload(1, door="open")))
    runner.step(T0)
    log.append_batch([mqtt_message(payload(1, door="open")), mqtt_message(payload(2, door="closed"))])
    assert log.handoff == {}  # not every row was new: nothing handed over
    runner.step(T0)
    assert [r.key for r in engine.readings] == [
        f"mqtt_json:{MQTT_ID}:h-1:door",
        f"mqtt_json:{MQTT_ID}:h-2:door",
    ]


def test_rows_of_other_writers_are_read_from_the_table_in_id_order(kit):
    log, other = IntakeLog(), IntakeLog()  # `other`: the web process's push intake, say
    runner, engine = runner_for(log, "mixed")
    log.append(mqtt_message(payload(1, door="open")))
    other.append(mqtt_message(payload(2, door="closed")))
    log.append(mqtt_message(payload(3, door="open")))
    runner.step(T0)
    assert [r.key.split(":")[2] for r in engine.readings] == ["h-1", "h-2", "h-3"]
    assert runner.position == max(row.id for row in ReadingTable().after(0, 10))


def test_a_reading_handed_over_after_its_row_was_consumed_is_dropped(kit):
    log = IntakeLog()
    runner, engine = runner_for(log, "late")
    log.append(mqtt_message(payload(1, door="open")))
    stale = dict(log.handoff or {})
    runner.step(T0)
    assert log.handoff is not None
    log.handoff.update(stale)  # as if another thread handed it over only now
    log.append(mqtt_message(payload(2, door="closed")))
    runner.step(T0)
    assert log.handoff == {}
    assert [r.key.split(":")[2] for r in engine.readings] == ["h-1", "h-2"]


def test_readings_the_log_dropped_from_the_handoff_are_read_from_the_table(kit):
    log = IntakeLog()
    runner, engine = runner_for(log, "dropped")
    log.append_batch([mqtt_message(payload(1, door="open")), mqtt_message(payload(2, door="closed"))])
    assert log.handoff is not None
    log.handoff.clear()  # what append_batch does when nobody takes them for too long
    runner.step(T0)
    assert [r.key.split(":")[2] for r in engine.readings] == ["h-1", "h-2"]
