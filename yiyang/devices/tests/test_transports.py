"""The TCP and MQTT transports against real sockets (threads write through their own connections,
hence transactional_db)."""

import asyncio
import json
import time

import pytest

from yiyang.devices.adapters.tcp_iw import IWServer
from yiyang.devices.intake_log import IntakeLog
from yiyang.devices.models import DeadLetter, DeviceReading
from yiyang.devices.tests.conftest import IMEI, MQTT_ID
from yiyang.monitoring.engine import contract as c

pytestmark = pytest.mark.django_db(transaction=True)


async def _talk(port: int, frames: list[str]) -> list[str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    for frame in frames:
        writer.write(frame.encode())
        await writer.drain()
        answers.append((await asyncio.wait_for(reader.readuntil(b"#"), 5)).decode())
    writer.close()
    return answers


def test_iw_watch_session_over_tcp(kit):
    async def scenario() -> list[str]:
        server = IWServer(IntakeLog(), host="127.0.0.1", port=0)
        port = await server.start()
        try:
            return await _talk(port, [
                f"IWAP00{IMEI}#",
                "IWAP03,06000908000102,5555,30#",
                "IWAPHT,60,130,85#",
                "IWAP10080525A2232.9806N11404.9355E000.1061830323.8706000908000102,01,zh_cn,00#",
                "IWAP49,xx#IWAP49,70#",
            ])  # fmt: skip
        finally:
            await server.close()

    answers = asyncio.run(scenario())
    assert answers[0].startswith("IWBP00,") and answers[0].endswith(",8#")
    assert answers[1:] == ["IWBP03#", "IWBPHT#", "IWBP10#", "IWBP49#"]
    codes = list(DeviceReading.objects.filter(device_id=kit.watch.pk).values_list("code", flat=True))
    assert codes.count(c.ALARM_SOS) == 1 and c.SYSTOLIC_BP in codes and c.BATTERY in codes
    assert DeadLetter.objects.get().reason == "hr: not a number"


def test_mqtt_round_trip_through_the_broker(kit, mqtt_broker):
    import paho.mqtt.client as mqtt

    from yiyang.devices.adapters.mqtt import MqttIntake

    intake = MqttIntake(
        IntakeLog(), host=mqtt_broker.host, port=mqtt_broker.port, client_id=f"t-{time.time_ns()}", persistent=False
    )
    intake.start()
    try:
        assert intake.connected.wait(20)
        time.sleep(0.2)
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        publisher.connect(mqtt_broker.host, mqtt_broker.port)
        publisher.loop_start()
        topic = f"yiyang/350206/door_sensor/{MQTT_ID}/telemetry"
        payload = json.dumps({"ts": 1746691200000, "id": "rt-1", "values": {"door": "open"}})
        for body in (payload, payload, "{broken"):  # a redelivery and a malformed one
            publisher.publish(topic, body, qos=1).wait_for_publish(5)
        publisher.loop_stop()
        publisher.disconnect()
        deadline = time.monotonic() + 20  # generous for a loaded CI machine; returns as soon as it is there
        while time.monotonic() < deadline and not DeadLetter.objects.exists():
            time.sleep(0.05)
    finally:
        intake.stop()
    assert DeviceReading.objects.filter(code=c.DOOR).count() == 1
    assert DeadLetter.objects.get().reason == "payload: not JSON"
