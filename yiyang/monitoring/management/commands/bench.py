"""`yiyang bench monitoring|detection`: print one JSON object with the engine's measured figures.

`monitoring` measures the rules-only throughput and timer lateness (pure engine, one core) and merges
`yiyang.devices.bench.end_to_end()` when the devices app provides it (end to end through MQTT into the
database, broker-only rate, latency); otherwise those keys stay null with a "pending" note.
`detection` replays simulated months with injected incidents (no database needed).
"""

import importlib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiyang.monitoring.engine import benchmarks


class Command(BaseCommand):
    help = "监测基准：monitoring（规则吞吐、定时器延迟、端到端）或 detection（检出率、检出时间、误报率）。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="which", required=True)
        monitoring = sub.add_parser("monitoring", help="规则吞吐与定时器延迟（及设备端到端，如已提供）")
        monitoring.add_argument("--elders", type=int, default=14_000)
        monitoring.add_argument("--timer-seconds", type=float, default=20.0, help="定时器实时循环时长（秒）")
        monitoring.add_argument("--skip-end-to-end", action="store_true", help="不调用 yiyang.devices.bench")
        detection = sub.add_parser("detection", help="以模拟数据回放评估检出质量")
        detection.add_argument("--elders", type=int, default=200)
        detection.add_argument("--days", type=int, default=60)
        detection.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["which"] == "monitoring":
            result = benchmarks.monitoring(duration_s=options["timer_seconds"], n_elders=options["elders"])
            if not options["skip_end_to_end"]:
                result.update(_end_to_end())
        else:
            result = benchmarks.detection(options["elders"], options["days"], options["seed"])
        self.stdout.write(json.dumps(result, ensure_ascii=False))


def _end_to_end() -> dict[str, Any]:
    """The devices app's end-to-end figures, if it provides `yiyang.devices.bench.end_to_end()`."""
    try:
        module = importlib.import_module("yiyang.devices.bench")
    except ModuleNotFoundError as exc:
        if exc.name not in ("yiyang.devices.bench",):
            raise
        return {}
    end_to_end = getattr(module, "end_to_end", None)
    if end_to_end is None:
        return {}
    figures = dict(end_to_end())
    if figures:
        figures.setdefault("pending", None)
    return figures
