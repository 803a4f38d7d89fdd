import asyncio
import os
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from yiyang.devices.adapters.mqtt import MqttIntake
from yiyang.devices.adapters.tcp_iw import IWServer
from yiyang.devices.intake_log import IntakeLog
from yiyang.devices.runner import Runner
from yiyang.devices.services import readings_partitions_ensure


class Command(BaseCommand):
    help = (
        "Run device intake in one process: the MQTT subscriber, the IW watch TCP server, and the engine "
        "runner with its batched writer (HTTP pushes arrive through the web server into the same log)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mqtt-host", default="127.0.0.1")
        parser.add_argument("--mqtt-port", type=int, default=1883)
        parser.add_argument("--mqtt-username", default=os.environ.get("YIYANG_MQTT_USERNAME", ""))
        parser.add_argument("--mqtt-password", default=os.environ.get("YIYANG_MQTT_PASSWORD", ""))
        parser.add_argument("--no-mqtt", action="store_true")
        parser.add_argument("--tcp-host", default="127.0.0.1")
        parser.add_argument("--tcp-port", type=int, default=5088)

    def handle(self, *args: Any, **options: Any) -> None:
        readings_partitions_ensure()
        stop = threading.Event()
        intake = IntakeLog()
        runner = Runner()
        runner.take_from(intake)  # same process: take committed readings instead of reading them back
        from django.utils import timezone

        report = runner.start(timezone.now())
        self.stdout.write(
            f"runner: restored={report.restored} position={report.position} replayed={report.replayed} "
            f"in {report.seconds:.2f}s"
        )
        close_old_connections()

        mqtt = None
        if not options["no_mqtt"]:
            # The MQTT loop steps the runner after each committed batch (and at least every 0.1 s
            # while idle or reconnecting): one thread, so intake and the runner never wait on each
            # other's database transactions.
            mqtt = MqttIntake(
                intake,
                host=options["mqtt_host"],
                port=options["mqtt_port"],
                username=options["mqtt_username"],
                password=options["mqtt_password"],
                after_batch=runner.step_now,
            )
            mqtt.start()
            where = f"{options['mqtt_host']}:{options['mqtt_port']}"
            if mqtt.connected.wait(3):
                self.stdout.write(f"mqtt: subscribed at {where}")
            else:
                self.stderr.write(f"mqtt: broker at {where} not reachable yet; retrying in the background")
        else:

            def run_runner() -> None:
                try:
                    runner.run_forever(stop, wake=intake.appended)
                finally:
                    close_old_connections()

            threading.Thread(target=run_runner, name="runner", daemon=True).start()

        async def serve() -> None:
            server = IWServer(intake, host=options["tcp_host"], port=options["tcp_port"])
            port = await server.start()
            self.stdout.write(f"iw tcp: listening on {options['tcp_host']}:{port}")
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            while not stop.is_set():
                await asyncio.sleep(0.2)
            await server.close()

        try:
            asyncio.run(serve())
        finally:
            stop.set()
            if mqtt is not None:
                mqtt.stop()
