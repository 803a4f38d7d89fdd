from typing import Any

from django.core.management.base import BaseCommand

from yiyang.devices.services import readings_partitions_ensure, readings_retention_apply


class Command(BaseCommand):
    help = "Create the reading table's monthly partitions ahead (PostgreSQL) and apply the retention window."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--months-ahead", type=int, default=3)
        parser.add_argument("--retain-days", type=int, default=400, help="0 keeps everything")

    def handle(self, *args: Any, **options: Any) -> None:
        made = readings_partitions_ensure(months_ahead=options["months_ahead"])
        deleted = readings_retention_apply(days=options["retain_days"]) if options["retain_days"] else 0
        self.stdout.write(f"partitions ensured: {len(made)}; readings removed: {deleted}")
