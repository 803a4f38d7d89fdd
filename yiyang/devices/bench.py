"""End-to-end intake benchmark through the real Mosquitto broker (127.0.0.1:1883).

`end_to_end()` builds a throwaway database (a temporary SQLite file, or a test database on the
configured server), registers `elders` elders with a bound MQTT device each, and measures:

- `broker_only_messages_per_s`: QoS 1 publish → a plain subscriber, no database (the broker's rate);
- `end_to_end_readings_per_s`: QoS 1 publish → MQTT intake (batched append, PUBACK after commit) →
  runner (engine + batched writer) until every reading is consumed;
- `p50_latency_ms` / `p99_latency_ms`: publish → the writer's transaction committed (the alert
  commands of the batch included), with publishing paced at `paced_rate` readings/s (1,600/s is a
  14,000-elder district).

`yiyang bench monitoring` merges the returned dict into its JSON.
"""

import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import connection

HOST, PORT = "127.0.0.1", 1883


def _publisher() -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{time.time_ns()}")
    client.max_inflight_messages_set(1000)
    client.connect(HOST, PORT)
    client.loop_start()
    return client


def _broker_only(messages: int) -> float:
    done = threading.Event()
    count = [0]

    def on_message(client: Any, userdata: Any, msg: Any) -> None:
        count[0] += 1
        if count[0] >= messages:
            done.set()

    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{time.time_ns()}")
    sub.on_message = on_message
    sub.connect(HOST, PORT)
    sub.subscribe("bench/broker/#", qos=1)
    sub.loop_start()
    time.sleep(0.3)
    pub = _publisher()
    began = time.perf_counter()
    for i in range(messages):
        pub.publish(f"bench/broker/{i % 100}", b'{"hr": 70}', qos=1)
    done.wait(120)
    elapsed = time.perf_counter() - began
    for client in (pub, sub):
        client.loop_stop()
        client.disconnect()
    return count[0] / elapsed


def _world(elders: int) -> list[str]:
    from django.utils import timezone

    from yiyang.areas.models import Area
    from yiyang.devices.models import Device, DeviceBinding
    from yiyang.elders.models import Elder

    district = Area.objects.create(code="990000", name="压测区", level="district")
    street = Area.objects.create(code="990000001", name="压测街道", level="street", parent=district, district=district)
    community = Area.objects.create(
        code="990000001001", name="压测社区", level="community", parent=street, district=district, street=street
    )
    Elder.objects.bulk_create(
        Elder(name=f"压测{i}", national_id=f"B{i:017d}", birth_date="1945-01-01", sex="F", community=community,
              street=street, district=district, monitoring_consent=True)
        for i in range(elders)
    )  # fmt: skip
    ids = [f"bench-{i:06d}" for i in range(elders)]
    Device.objects.bulk_create(
        Device(kind="watch", protocol="mqtt_json", identifier=ident, district=district, street=street) for ident in ids
    )
    devices = dict(Device.objects.values_list("identifier", "pk"))
    now = timezone.now()
    DeviceBinding.objects.bulk_create(
        DeviceBinding(device_id=devices[ident], elder=elder, since=now)
        for ident, elder in zip(ids, Elder.objects.order_by("pk"), strict=True)
    )
    return ids


def _run(ids: list[str], readings: int, rate: float | None) -> dict[str, float]:
    from django.db import close_old_connections

    from yiyang.devices.adapters.mqtt import MqttIntake
    from yiyang.devices.intake_log import IntakeLog
    from yiyang.devices.runner import Runner

    sent: dict[str, float] = {}
    latencies: list[float] = []
    target = [0]
    finished = threading.Event()

    def on_batch(batch: list[Any], commands: list[Any]) -> None:
        now = time.perf_counter()
        for reading in batch:
            at = sent.get(reading.key)
            if at is not None:
                latencies.append((now - at) * 1000)
        if len(latencies) >= target[0]:
            finished.set()

    stop = threading.Event()
    runner = Runner(name=f"bench-{time.time_ns()}", on_batch=on_batch)
    from django.utils import timezone

    runner.start(timezone.now())
    close_old_connections()

    def loop() -> None:
        try:
            runner.run_forever(stop, idle_sleep=0.005)
        finally:
            close_old_connections()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    intake = MqttIntake(IntakeLog(), host=HOST, port=PORT, client_id=f"bench-intake-{time.time_ns()}", persistent=False)
    intake.start()
    intake.connected.wait(5)
    time.sleep(0.3)
    pub = _publisher()
    target[0] = readings
    base_ms = int(time.time() * 1000)
    began = time.perf_counter()
    for i in range(readings):
        ident = ids[i % len(ids)]
        ts = base_ms + i
        key = f"mqtt_json:{ident}:m{i}:8867-4"
        sent[key] = time.perf_counter()
        payload = json.dumps({"ts": ts, "id": f"m{i}", "values": {"hr": 60 + i % 30}})
        pub.publish(f"yiyang/990000/watch/{ident}/telemetry", payload, qos=1)
        if rate:
            pause = began + (i + 1) / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
    finished.wait(300)
    elapsed = time.perf_counter() - began
    stop.set()
    thread.join(5)
    intake.stop()
    pub.loop_stop()
    pub.disconnect()
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] if latencies else float("nan"),
    }


def end_to_end(*, elders: int = 2000, readings: int = 40_000, paced_rate: float = 1600, paced_seconds: int = 5) -> dict:
    """Figures through the real broker into the database; see the module docstring."""
    broker = _broker_only(min(readings, 50_000))
    db = settings.DATABASES["default"]
    tmp = None
    if db["ENGINE"].endswith("sqlite3"):
        tmp = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(tmp)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        ids = _world(elders)
        full = _run(ids, readings, None)
        paced = _run(ids, int(paced_rate * paced_seconds), paced_rate)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "end_to_end_readings_per_s": round(full["rate"]),
        "broker_only_messages_per_s": round(broker),
        "p50_latency_ms": round(paced["p50"], 1),
        "p99_latency_ms": round(paced["p99"], 1),
    }
