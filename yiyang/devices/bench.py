"""End-to-end intake benchmark through a real Mosquitto broker.

`end_to_end()` starts a Mosquitto of its own with the production queue settings (see
`bench_broker`; the system broker on 127.0.0.1:1883 if the program is missing), builds a throwaway
database (a temporary SQLite file, or a test database on the configured server), registers `elders`
elders (14,000: a district) with a bound MQTT watch each, and runs intake as `yiyang intake` does
(the MQTT loop steps the engine runner after each committed batch) while a device fleet publishes
from another process (`yiyang.devices.loadgen`). It measures:

- `broker_only_messages_per_s`: QoS 1 publish → a subscriber that only acknowledges (the broker's
  rate on this machine, for comparison);
- `end_to_end_readings_per_s`: QoS 1 publish → MQTT intake (batched append, PUBACK after commit) →
  runner (engine + batched writer) until every reading is consumed, from the first publish to the
  last commit; `end_to_end_readings_per_cpu_s` is the same readings over the CPU seconds this
  process used (the figure for "one core" when broker and fleet share the machine's other cores);
- `p50_latency_ms` / `p99_latency_ms` / `max_latency_ms`: publish → the runner's transaction holding
  the reading (and any alert it raised) committed, with publishing paced at `paced_rate` readings/s
  (1,600/s is a 14,000-elder district); `sos_alert_p99_latency_ms` over the SOS readings among them
  (one in 199), each of which opens an alert.

`yiyang bench monitoring` merges the returned dict into its JSON.
"""

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from yiyang.devices.adapters.mqtt_wire import MqttSession

HOST = "127.0.0.1"
SYSTEM_PORT = 1883
# What deploy/mosquitto/yiyang.conf sets for intake, minus authentication and disk persistence.
BROKER_CONF = """listener {port} 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 1000000
max_queued_bytes 536870912
max_inflight_messages 100
set_tcp_nodelay true
"""


@contextlib.contextmanager
def bench_broker() -> Iterator[tuple[int, str]]:
    """A Mosquitto of our own with the production queue settings, on a free port, for the length of
    the benchmark. With Mosquitto's defaults (at most 1,000 queued QoS 1 messages per client) a
    burst of tens of thousands of readings is partly dropped by the broker before intake sees it —
    measured: 26,112 of 60,000 lost to a consumer slowed to 200 ms a batch. Falls back to the
    system broker on 127.0.0.1:1883 when the `mosquitto` program is not installed. Yields the port
    and a label for the figures."""
    binary = shutil.which("mosquitto")
    if binary is None:
        yield SYSTEM_PORT, f"system broker {HOST}:{SYSTEM_PORT} (default configuration)"
        return
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    conf = Path(tempfile.mkdtemp()) / "mosquitto.conf"
    conf.write_text(BROKER_CONF.format(port=port))
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the benchmark's Mosquitto did not start") from None
                time.sleep(0.05)
        yield port, f"mosquitto on {HOST}:{port} with deploy/mosquitto/yiyang.conf queue settings"
    finally:
        process.terminate()
        process.wait(10)


def _loadgen(port: int, *args: str) -> subprocess.Popen[str]:
    """The device fleet, in its own process (see yiyang.devices.loadgen)."""
    command = [sys.executable, "-m", "yiyang.devices.loadgen", "--host", HOST, "--port", str(port), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 -- our own module


def _finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=600)
    if process.returncode:
        raise RuntimeError(f"load generator failed ({process.returncode})")
    return json.loads(out)


def _broker_only(port: int, messages: int) -> float:
    """QoS 1 publish (load generator) → a subscriber that only acknowledges (no database)."""
    session = MqttSession(HOST, port, f"bench-sub-{time.time_ns()}", persistent=False)
    session.connect()
    prefix = f"bench/broker/{time.time_ns()}"
    session.subscribe(f"{prefix}/#")
    process = _loadgen(port, "--count", str(messages), "--elders", "100", "--topic-prefix", prefix)
    got, first = 0, None
    deadline = time.monotonic() + 120
    while got < messages and time.monotonic() < deadline:
        batch = session.poll(1.0)
        if batch and first is None:
            first = time.perf_counter()
        got += len(batch)
        session.ack([item.packet_id for item in batch])
    elapsed = time.perf_counter() - (first or time.perf_counter())
    session.close()
    _finish(process)
    return got / elapsed if elapsed else 0.0


def _world(elders: int) -> None:
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


def _index(key: str) -> int | None:
    # key = "mqtt_json:<identifier>:m<i>:<code>"
    parts = key.split(":")
    return int(parts[2][1:]) if len(parts) == 4 and parts[2].startswith("m") else None


def _run(port: int, name: str, elders: int, readings: int, rate: float | None, sos_every: int) -> dict[str, Any]:
    """Intake and runner threads in this process, the fleet in another; returns rate and latencies."""
    from django.db import close_old_connections
    from django.utils import timezone

    from yiyang.devices.adapters.mqtt import MqttIntake
    from yiyang.devices.intake_log import IntakeLog
    from yiyang.devices.runner import Runner

    committed: dict[int, float] = {}
    finished = threading.Event()

    def on_batch(batch: list[Any], commands: list[Any]) -> None:
        now = time.perf_counter()
        for reading in batch:
            index = _index(reading.key)
            if index is not None:
                committed[index] = now
        if len(committed) >= readings:
            finished.set()

    log = IntakeLog()
    runner = Runner(name=name, on_batch=on_batch)
    runner.take_from(log)
    runner.start(timezone.now())
    close_old_connections()
    # As `yiyang intake` runs them: the runner is stepped by the MQTT thread after each batch.
    intake = MqttIntake(
        log,
        host=HOST,
        port=port,
        client_id=f"bench-intake-{time.time_ns()}",
        persistent=False,
        after_batch=runner.step_now,
    )
    intake.start()
    start = time.perf_counter() + 0.5
    args = ["--elders", str(elders), "--count", str(readings), "--start", repr(start), "--sos-every", str(sos_every)]
    cpu_before = time.process_time()
    process = _loadgen(port, *args, *(["--rate", str(rate)] if rate else []))
    published = _finish(process)
    finished.wait(300)
    cpu = time.process_time() - cpu_before
    intake.stop()
    began = float(published["began"])
    last = max(committed.values(), default=began)
    result: dict[str, Any] = {
        "readings": len(committed),
        "rate": len(committed) / (last - began) if last > began else 0.0,
        "cpu_seconds": cpu,
        "wall_seconds": last - began,
    }
    sent_at = published.get("sent_at")
    if sent_at:
        latencies = sorted((committed[i] - sent) * 1000 for i, sent in enumerate(sent_at) if i in committed)
        result["p50"] = latencies[len(latencies) // 2] if latencies else float("nan")
        result["p99"] = latencies[int(len(latencies) * 0.99)] if latencies else float("nan")
        result["max"] = latencies[-1] if latencies else float("nan")
        # An SOS reading's batch commit is its alert's commit (one transaction).
        sos = sorted(
            (committed[i] - sent) * 1000
            for i, sent in enumerate(sent_at)
            if sos_every and i % sos_every == sos_every - 1 and i in committed
        )
        result["sos_p99"] = sos[int(len(sos) * 0.99)] if sos else float("nan")
    return result


def end_to_end(
    *, elders: int = 2000, readings: int = 40_000, paced_rate: float = 1600, paced_seconds: int = 10
) -> dict:
    """Figures through the real broker into the database; see the module docstring."""
    with bench_broker() as (port, broker_label):
        figures = _end_to_end(port, elders, readings, paced_rate, paced_seconds)
    figures["broker"] = broker_label
    return figures


def _end_to_end(port: int, elders: int, readings: int, paced_rate: float, paced_seconds: int) -> dict[str, Any]:
    broker = _broker_only(port, min(readings, 100_000))
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        _world(elders)
        # The second run restores the first one's checkpoint, as a restarted intake would.
        name = f"bench-{time.time_ns()}"
        full = _run(port, name, elders, readings, None, 0)
        paced = _run(port, name, elders, int(paced_rate * paced_seconds), paced_rate, 199)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "end_to_end_readings_per_s": round(full["rate"]),
        "end_to_end_readings_per_cpu_s": round(full["readings"] / full["cpu_seconds"]) if full["cpu_seconds"] else None,
        "broker_only_messages_per_s": round(broker),
        "p50_latency_ms": round(paced["p50"], 1),
        "p99_latency_ms": round(paced["p99"], 1),
        "max_latency_ms": round(paced["max"], 1),
        "sos_alert_p99_latency_ms": round(paced["sos_p99"], 1),
        "database": connection.vendor,
    }
