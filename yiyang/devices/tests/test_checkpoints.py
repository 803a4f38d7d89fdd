"""Incremental checkpoints of the real engine: consistent cuts, chunked writes, crash mid-cut."""

from datetime import UTC, datetime, timedelta

import pytest

from yiyang.devices.intake_log import IntakeLog, Message
from yiyang.devices.models import EngineElderState, RunnerCheckpoint
from yiyang.devices.runner import CommandWriter, Runner
from yiyang.devices.tests.conftest import MQTT_ID, bind, make_device
from yiyang.devices.tests.fakes import FakeAlerts
from yiyang.monitoring.engine import contract as c
from yiyang.monitoring.engine.engine import Engine
from yiyang.monitoring.engine.state import LAYOUT

T0 = datetime(2025, 5, 8, 8, 0, tzinfo=UTC)
SECOND_ID = "door-0002"


def reading(elder_id: int, minute: int, value: str = "open") -> c.Reading:
    at = T0 + timedelta(minutes=minute)
    return c.Reading(f"k{elder_id}-{minute}", 1, elder_id, "activity", c.DOOR, value, "", at, at)


def encoded(engine: Engine) -> dict[int, bytes]:
    return {elder_id: state.encode() for elder_id, state in engine.states.items()}


# ---------------------------------------------------------------------------------- pure engine
def test_a_cut_holds_each_elder_as_it_was_when_the_cut_began():
    engine = Engine()
    engine.feed(reading(1, 0), T0)
    engine.feed(reading(2, 0), T0)
    before = encoded(engine)
    assert engine.begin_cut() == 2
    engine.feed(reading(1, 5, "closed"), T0 + timedelta(minutes=5))  # elder 1 changes before capture
    assert engine.capture_some(10) is True
    captured = engine.take_captured() | engine.finish_cut()
    assert captured == before
    assert encoded(engine)[1] != before[1]
    restored = Engine()
    restored.restore_states(captured.items(), LAYOUT)
    assert encoded(restored) == before


def test_the_next_cut_captures_only_the_elders_changed_since():
    engine = Engine()
    engine.feed(reading(1, 0), T0)
    engine.feed(reading(2, 0), T0)
    engine.begin_cut()
    engine.finish_cut()
    engine.feed(reading(2, 3), T0)
    assert engine.begin_cut() == 1
    assert set(engine.finish_cut()) == {2}


def test_an_aborted_cut_is_captured_again_next_time():
    engine = Engine()
    for elder_id in (1, 2, 3):
        engine.feed(reading(elder_id, 0), T0)
    engine.begin_cut()
    engine.capture_some(1)
    engine.take_captured()
    engine.abort_cut()
    assert engine.begin_cut() == 3


def test_decode_tolerates_a_layout_with_an_unknown_slot():
    engine = Engine()
    engine.feed(reading(1, 0), T0)
    state = engine.states[1]
    import pickle
    import zlib

    blob = zlib.compress(pickle.dumps((*[getattr(state, name) for name in LAYOUT], "extra")))
    again = type(state).decode(1, blob, (*LAYOUT, "slot_of_a_later_release"))
    assert again.encode() == state.encode()


# ---------------------------------------------------------------------------------- runner + DB
@pytest.fixture
def two(kit):
    """elder0 has the kit's door sensor; resident0 gets a second one."""
    other = kit.world.elders["resident0"]
    other.monitoring_consent = True
    other.save(update_fields=["monitoring_consent"])
    bind(make_device(kit.world, 0, "door_sensor", "mqtt_json", SECOND_ID), other)
    return kit, other


def append(identifier: str, minute: int, value: str = "open") -> None:
    from yiyang.devices.adapters.parsing import parse_mqtt

    ts = int((T0 + timedelta(minutes=minute)).timestamp() * 1000)
    topic = f"yiyang/350206/door_sensor/{identifier}/telemetry"
    payload = f'{{"ts": {ts}, "id": "{identifier}-{minute}", "values": {{"door": "{value}"}}}}'
    IntakeLog().append(Message("mqtt_json", "mqtt", parse_mqtt(topic, payload), payload, T0, kind_hint="door_sensor"))


def real_runner(name: str = "inc", **kwargs) -> Runner:
    return Runner(engine_factory=Engine, writer=CommandWriter(alerts_apply=FakeAlerts()), name=name, **kwargs)


def test_a_cut_is_written_in_chunks_and_committed_with_its_last_chunk(two):
    kit, other = two
    runner = real_runner(capture_per_step=1, snapshot_every=timedelta(0))
    runner.start(T0)
    start_gen = RunnerCheckpoint.objects.get(name="inc").generation
    append(MQTT_ID, 1)
    append(SECOND_ID, 1)
    runner.step(T0 + timedelta(minutes=1))  # feeds both, begins a cut, writes the first elder
    checkpoint = RunnerCheckpoint.objects.get(name="inc")
    assert checkpoint.generation == start_gen  # not committed yet
    assert EngineElderState.objects.filter(runner="inc", generation=start_gen + 1).count() == 1
    runner.step(T0 + timedelta(minutes=1))  # the second elder and the checkpoint
    checkpoint = RunnerCheckpoint.objects.get(name="inc")
    assert (checkpoint.generation, checkpoint.position) == (start_gen + 1, runner.position)
    assert set(
        EngineElderState.objects.filter(runner="inc", generation=start_gen + 1).values_list("elder_id", flat=True)
    ) == {kit.elder.pk, other.pk}


def test_a_restart_restores_every_elder_and_timer(two):
    first = real_runner()
    first.start(T0)
    append(MQTT_ID, 1)
    append(SECOND_ID, 2)
    first.step(T0 + timedelta(minutes=2))
    first.save_checkpoint(T0 + timedelta(minutes=2))
    assert first.engine is not None
    states, deadline = encoded(first.engine), first.engine.next_deadline()
    second = real_runner()
    report = second.start(T0 + timedelta(minutes=2))
    assert report.restored and report.replayed == 0
    assert second.engine is not None
    assert encoded(second.engine) == states and second.engine.next_deadline() == deadline


def test_a_crash_in_the_middle_of_a_cut_restores_the_last_committed_one_and_replays_once(two):
    reference = Engine()  # fed each reading exactly once
    first = real_runner(capture_per_step=1, snapshot_every=timedelta(0))
    first.start(T0)
    append(MQTT_ID, 1)
    append(SECOND_ID, 1)
    first.step(T0 + timedelta(minutes=1))  # half of the cut written, then the process dies
    committed = RunnerCheckpoint.objects.get(name="inc")
    assert EngineElderState.objects.filter(runner="inc", generation__gt=committed.generation).exists()
    second = real_runner()
    report = second.start(T0 + timedelta(minutes=1))
    assert report.replayed == 2  # both readings after the committed position, each once
    assert not EngineElderState.objects.filter(runner="inc", generation__gt=second._generation).exists()
    from yiyang.devices.intake_log import ReadingTable

    for row in ReadingTable().after(0, 100):
        reference.feed(row.reading, T0 + timedelta(minutes=1))
    reference.advance(T0 + timedelta(minutes=1))
    assert second.engine is not None
    assert encoded(second.engine) == encoded(reference)


def test_superseded_rows_are_pruned(two):
    kit, _other = two
    runner = real_runner(snapshot_every=timedelta(0))
    runner.start(T0)
    for minute in (1, 2, 3):
        append(MQTT_ID, minute)
        runner.step(T0 + timedelta(minutes=minute))
    runner.step(T0 + timedelta(minutes=3))  # nothing new: prunes
    assert EngineElderState.objects.filter(runner="inc", elder_id=kit.elder.pk).count() == 1
