import json
import socket
import time
import urllib.request
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from yiyang.devices.services import push_secrets
from yiyang.devices.simulation import demo_devices_ensure, to_wire
from yiyang.monitoring.engine import contract as c


class Command(BaseCommand):
    help = (
        "Drive N demo elders' devices through realistic days (the monitoring simulator) over MQTT, HTTP "
        "and TCP, with injected incidents. Run beside `runserver` and `yiyang intake`."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--elders", type=int, default=20)
        parser.add_argument("--minutes", type=float, default=0, help="stop after this many wall minutes (0: run on)")
        parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per wall second")
        parser.add_argument("--incident-rate", type=float, default=0.5, help="incidents per elder-day per type")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--mqtt", default="127.0.0.1:1883")
        parser.add_argument("--tcp", default="127.0.0.1:5088")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--first-fall-after",
            type=float,
            default=20.0,
            help="wall seconds until one elder's watch declares a fall, so a demo shows an alert at once (0: none)",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        from yiyang.monitoring.engine.simulate import DEFAULT_RATES, simulate_days

        elders = demo_devices_ensure(o["elders"])
        if not elders:
            self.stderr.write("no elders with monitoring consent: run `seed` first")
            return
        self.stdout.write(f"simulating {len(elders)} elders at {o['speed']}x")
        mqtt_client = self._mqtt(o["mqtt"])
        watches: dict[int, socket.socket] = {}
        secret = push_secrets().get("mattress", "")
        rates = dict.fromkeys(DEFAULT_RATES, o["incident_rate"])
        start = timezone.now()
        days = max(1, int(o["minutes"] * o["speed"] / 1440) + 1) if o["minutes"] else 365
        stream = simulate_days(len(elders), days, o["seed"], rates, start=start, first_incident_day=0)
        wall0 = time.monotonic()
        stop_at = wall0 + o["minutes"] * 60 if o["minutes"] else float("inf")
        sent = 0
        # The planned incidents fall at realistic times of day; one early fall lets a demo start with an alert.
        first_fall_at = wall0 + o["first_fall_after"] if o["first_fall_after"] > 0 else float("inf")

        def first_fall_if_due() -> None:
            nonlocal first_fall_at
            if time.monotonic() < first_fall_at:
                return
            first_fall_at = float("inf")
            now = timezone.now()
            fall = c.Reading(
                key="demo-first-fall", device_id=0, elder_id=0, kind="alarm", code=c.ALARM_FALL, value=True,
                unit="", device_ts=now, received_ts=now,
            )  # fmt: skip
            elder0, ids0 = elders[0]
            wire0 = to_wire(fall, ids0, str(elder0.district_id), now)
            if wire0 is not None and wire0[0] == "tcp":
                self._tcp(watches, elder0.pk, ids0["watch"], o["tcp"], wire0[1])
                self.stdout.write(f"demo: fall declared by {elder0.name}'s watch")

        for reading, _label in stream:
            first_fall_if_due()
            offset = (reading.device_ts - start).total_seconds()
            if offset < 0:
                continue
            due = wall0 + offset / o["speed"]
            if due > stop_at:
                break
            while (pause := due - time.monotonic()) > 0:
                time.sleep(min(pause, 0.5))
                first_fall_if_due()
            elder, ids = elders[reading.elder_id % len(elders)]
            at = timezone.now()
            wire = to_wire(reading, ids, str(elder.district_id), at)
            if wire is None:
                continue
            channel, body = wire
            try:
                if channel == "tcp":
                    self._tcp(watches, elder.pk, ids["watch"], o["tcp"], body)
                elif channel == "http":
                    vendor, data = body
                    request = urllib.request.Request(  # noqa: S310 -- our own server URL
                        f"{o['base_url']}/api/v1/devices/push/{vendor}/",
                        data=json.dumps(data).encode(),
                        headers={"Content-Type": "application/json", "X-Yiyang-Push-Secret": secret},
                    )
                    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
                elif mqtt_client is not None:
                    mqtt_client.publish(body[0], body[1], qos=1)
                sent += 1
            except OSError as exc:
                self.stderr.write(f"{channel}: {exc}")
                watches.pop(elder.pk, None)
            if sent and sent % 500 == 0:
                self.stdout.write(f"{sent} messages, simulated {timedelta(seconds=int(offset))}")

    def _mqtt(self, address: str) -> Any:
        import paho.mqtt.client as mqtt

        host, port = address.rsplit(":", 1)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"yiyang-simulator-{time.time_ns()}")
        try:
            client.connect(host, int(port))
        except OSError as exc:
            self.stderr.write(f"mqtt broker unreachable ({exc}): MQTT readings skipped")
            return None
        client.loop_start()
        return client

    def _tcp(self, watches: dict[int, socket.socket], key: int, imei: str, address: str, frame: str) -> None:
        sock = watches.get(key)
        if sock is None:
            host, port = address.rsplit(":", 1)
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(f"IWAP00{imei}#".encode())
            sock.recv(64)
            watches[key] = sock
        sock.sendall(frame.encode())
        sock.recv(64)
