from datetime import UTC, datetime, timedelta

import pytest

from yiyang.devices.adapters.parsing import parse_http_push, parse_iw_frame, parse_mqtt
from yiyang.devices.intake_log import IntakeLog, Message
from yiyang.devices.models import DeadLetter, Device, DeviceReading, IntakeCounter, PendingDevice, RunnerCheckpoint
from yiyang.devices.runner import CommandWriter, Runner
from yiyang.devices.selectors import intake_counts
from yiyang.devices.tests.conftest import IMEI, MQTT_ID
from yiyang.devices.tests.fakes import QUIET, FakeAlerts, FakeEngine
from yiyang.monitoring.engine import contract as c

T0 = datetime(2025, 5, 8, 8, 0, tzinfo=UTC)
TOPIC = f"yiyang/350206/door_sensor/{MQTT_ID}/telemetry"


def mqtt_message(payload: str, topic: str = TOPIC, at: datetime = T0) -> Message:
    kind = topic.split("/")[2]
    return Message("mqtt_json", "mqtt", parse_mqtt(topic, payload), payload, at, kind_hint=kind)


def runner_with(alerts: FakeAlerts, name: str = "t") -> Runner:
    return Runner(engine_factory=FakeEngine, writer=CommandWriter(alerts_apply=alerts), name=name)


def test_unknown_devices_are_held_as_pending_not_dropped(kit):
    log = IntakeLog()
    topic = "yiyang/350206/motion_sensor/pir-9999/telemetry"
    for _ in range(3):
        log.append(mqtt_message('{"motion": "hall", "battery": 50}', topic))
    pending = PendingDevice.objects.get(identifier="pir-9999")
    assert (pending.message_count, pending.reading_count, pending.reason, pending.kind_hint) == (3, 6, "unknown_device",
                                                                                                  "motion_sensor")  # fmt: skip
    assert DeviceReading.objects.count() == 0


def test_readings_of_an_unbound_device_are_held_as_pending(kit):
    kit.door.bindings.update(until=T0)
    kit.door.save(update_fields=["updated_at"])
    log = IntakeLog()
    log.bindings.refresh(force=True)
    log.append(mqtt_message('{"door": "open"}'))
    assert PendingDevice.objects.get(identifier=MQTT_ID).reason == "not_bound"


def test_malformed_messages_are_kept_as_dead_letters_and_counted(kit):
    log = IntakeLog()
    log.dead_letter(adapter="mqtt", source=TOPIC, payload=b"{oops", reason="payload: not JSON")
    log.dead_letter(adapter="mqtt", source=TOPIC, payload=b"[]", reason="payload: empty array")
    assert list(DeadLetter.objects.values_list("reason", flat=True)) == ["payload: empty array", "payload: not JSON"]
    assert intake_counts()["mqtt/malformed"] == 2


def test_a_redelivered_message_is_one_reading_and_one_alert(kit):
    alerts = FakeAlerts()
    runner = runner_with(alerts)
    runner.start(T0)
    log = IntakeLog()
    sos = '{"ts": 1746691200000, "id": "abc", "values": {"sos": true}}'
    log.append(mqtt_message(sos))
    runner.step(T0)
    log.append(mqtt_message(sos, at=T0 + timedelta(seconds=5)))  # QoS 1 redelivery
    runner.step(T0 + timedelta(seconds=5))
    assert DeviceReading.objects.filter(code=c.ALARM_SOS).count() == 1
    assert alerts.open == {(kit.elder.pk, "sos"): 1}


def test_redelivery_with_the_real_alerts_service_opens_one_alert(kit):
    from yiyang.alerts.models import Alert
    from yiyang.alerts.services import alerts_apply

    runner = Runner(engine_factory=FakeEngine, writer=CommandWriter(alerts_apply=alerts_apply), name="real")
    runner.start(T0)
    frame = parse_iw_frame("IWAP10080525A2232.9806N11404.9355E000.1061830323.8706000908000102,01,zh_cn,00#",
                           imei=IMEI, now=T0)  # fmt: skip
    log = IntakeLog()
    for attempt in range(2):  # the watch retransmits an alarm it got no answer to
        log.append(Message("iw_tcp", "iw_tcp", frame.readings, "", T0 + timedelta(seconds=attempt)))
        runner.step(T0 + timedelta(seconds=attempt))
    assert Alert.objects.filter(elder=kit.elder, alert_type="sos").count() == 1


def test_engine_marks_and_device_status_are_written_in_bulk(kit):
    alerts = FakeAlerts()
    runner = runner_with(alerts)
    runner.start(T0)
    log = IntakeLog()
    log.append(Message("iw_tcp", "iw_tcp", parse_iw_frame("IWAP49,400#", imei=IMEI, now=T0).readings, "", T0))
    log.append(Message("iw_tcp", "iw_tcp", parse_iw_frame("IWAP03,06000458000102,5555,30#", imei=IMEI, now=T0).readings,
                       "", T0))  # fmt: skip
    runner.step(T0)
    hr = DeviceReading.objects.get(code=c.HEART_RATE)
    assert (hr.valid, hr.invalid_reason) == (False, "hr_out_of_range")
    watch = Device.objects.get(pk=kit.watch.pk)
    assert (watch.online, watch.battery, watch.last_seen_at) == (True, 45, T0)


def test_radar_empty_bed_quality_is_stored(kit):
    log = IntakeLog()
    log.append(Message("http_radar", "http_radar",
                       parse_http_push("radar", {"mac": kit.radar.identifier, "time": 1746691200, "heartRate": 0,
                                                 "bedStatus": 0}), "", T0))  # fmt: skip
    hr = DeviceReading.objects.get(code=c.HEART_RATE)
    assert (hr.valid, hr.invalid_reason) == (False, "empty_bed")
    assert IntakeCounter.objects.get(adapter="all", outcome="readings").count == 3


def test_restart_restores_state_and_a_timer_due_while_down_fires(kit):
    alerts = FakeAlerts()
    first = runner_with(alerts, name="main")
    first.start(T0)
    IntakeLog().append(mqtt_message('{"ts": 1746691200000, "values": {"door": "open"}}'))  # 2025-05-08 08:00 UTC
    first.step(T0 + timedelta(seconds=1))
    first.save_checkpoint(T0 + timedelta(seconds=1))
    assert alerts.open == {}
    # The process dies. A reading arrives while it is down (after the checkpoint) and is replayed.
    IntakeLog().append(mqtt_message('{"ts": 1746691260000, "values": {"door": "closed"}}'))
    later = T0 + QUIET + timedelta(minutes=5)
    second = runner_with(alerts, name="main")
    report = second.start(later)
    assert report.restored and report.replayed == 1
    assert report.seconds < 10
    assert alerts.open == {(kit.elder.pk, "inactivity"): 1}  # the deadline passed while down: fired on start
    assert RunnerCheckpoint.objects.get(name="main").position == second.position


def test_without_a_snapshot_the_runner_replays_the_whole_log(kit):
    alerts = FakeAlerts()
    IntakeLog().append(mqtt_message('{"ts": 1746691200000, "id": "x", "values": {"sos": true}}'))
    report = runner_with(alerts, name="fresh").start(T0)
    assert (report.restored, report.replayed) == (False, 1)
    assert alerts.open == {(kit.elder.pk, "sos"): 1}


def test_the_runner_picks_up_rows_that_commit_late_below_its_position(kit):
    alerts = FakeAlerts()
    runner = runner_with(alerts)
    runner.start(T0)
    log = IntakeLog()
    log.append(mqtt_message('{"ts": 1746691100000, "values": {"door": "open"}}'))
    runner.step(T0)
    log.append(mqtt_message('{"ts": 1746691200000, "values": {"door": "open"}}'))
    late_id = DeviceReading.objects.order_by("id").last().pk
    DeviceReading.objects.filter(pk=late_id).update(id=late_id + 1)  # as if id late_id were still uncommitted
    runner.step(T0)
    assert runner.gaps == {late_id: pytest.approx(runner.gaps[late_id])}
    DeviceReading.objects.filter(pk=late_id + 1).update(id=late_id)  # "commits"
    DeviceReading.objects.filter(pk=late_id).update(key="late")
    fed_before = runner.consumed
    runner.step(T0)
    assert runner.consumed == fed_before + 1 and not runner.gaps


def test_a_failed_write_is_retried_on_the_next_step_not_dropped(kit):
    from django.db import OperationalError

    alerts = FakeAlerts()
    failing = {"left": 1}

    def flaky(commands):
        if failing["left"]:
            failing["left"] -= 1
            raise OperationalError("database is locked")
        alerts(commands)

    runner = Runner(engine_factory=FakeEngine, writer=CommandWriter(alerts_apply=flaky), name="flaky")
    runner.start(T0)
    IntakeLog().append(mqtt_message('{"ts": 1746691200000, "id": "f", "values": {"sos": true}}'))
    runner.step(T0)
    assert alerts.open == {} and runner.write_failures == 1
    runner.step(T0 + timedelta(seconds=1))
    assert alerts.open == {(kit.elder.pk, "sos"): 1}


def test_a_changed_district_override_reaches_the_running_engine(kit):
    from yiyang.devices.runner import load_engine
    from yiyang.monitoring.services import district_rules_set

    alerts = FakeAlerts()
    runner = Runner(
        engine_factory=load_engine, writer=CommandWriter(alerts_apply=alerts), name="rules", rules_every_s=0
    )
    runner.start(T0)

    def heart_rate(minute: int, bpm: int) -> None:
        ts = int((T0 + timedelta(minutes=minute)).timestamp() * 1000)
        IntakeLog().append(mqtt_message(f'{{"ts": {ts}, "id": "hr-{minute}", "values": {{"hr": {bpm}}}}}'))

    heart_rate(1, 110)
    heart_rate(4, 112)
    runner.step(T0 + timedelta(minutes=4))
    assert alerts.open == {}  # the default opens at 131 bpm
    district_rules_set(
        actor=kit.world.users["bureau"],
        district=kit.world.district,
        document={"rules": {"hr_high": {"params": {"threshold": 100}}}},
    )
    heart_rate(10, 110)
    heart_rate(13, 112)
    runner.step(T0 + timedelta(minutes=13))
    assert alerts.open == {(kit.elder.pk, "hr_high"): 1}
