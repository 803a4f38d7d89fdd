import json
from typing import Any

from django.core.management.base import BaseCommand

from yiyang.devices.bench import end_to_end


class Command(BaseCommand):
    help = "Measure intake end to end through Mosquitto at 127.0.0.1:1883 (prints one JSON object)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--elders", type=int, default=2000)
        parser.add_argument("--readings", type=int, default=40_000)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(end_to_end(elders=options["elders"], readings=options["readings"])))
