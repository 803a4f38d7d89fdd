"""`yiyang replay FILE.jsonl [--rules FILE] [--output FILE]`: readings through the engine on simulated time.

Writes every RaiseAlert as a JSON line {elder_id, alert_type, severity, opened_at} to stdout or
--output; malformed lines go to stderr with their line number and reason and are counted. Needs no
database. Exit status 2 when the input or rules file cannot be read.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiyang.monitoring.engine.contract import RaiseAlert
from yiyang.monitoring.engine.replay import alert_line, replay
from yiyang.monitoring.engine.rules import RuleError, load_rules_file, resolve_ruleset


class Command(BaseCommand):
    help = "按模拟时间把标准读数（JSONL）送入监测引擎，输出每条告警（JSON 行）。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="读数文件，每行一个 JSON 对象；“-”表示标准输入")
        parser.add_argument("--rules", help="规则覆盖文件（YAML 或 JSON，与默认规则同结构）")
        parser.add_argument("--flags", default="", help="逗号分隔的长者标记，如 copd,dementia")
        parser.add_argument("--output", help="告警输出文件（默认标准输出）")

    def handle(self, *args: Any, **options: Any) -> None:
        flags = [f for f in options["flags"].split(",") if f]
        try:
            override = load_rules_file(options["rules"]) if options.get("rules") else None
            rules = resolve_ruleset(district=override, flags=flags)
        except (OSError, RuleError, ValueError) as exc:
            raise CommandError(f"rules: {exc}", returncode=2) from exc
        try:
            source = sys.stdin if options["file"] == "-" else open(options["file"], encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc}", returncode=2) from exc
        output = open(options["output"], "w", encoding="utf-8") if options.get("output") else self.stdout  # noqa: SIM115
        stderr = self.stderr

        def on_alert(command: RaiseAlert) -> None:
            output.write(json.dumps(alert_line(command), ensure_ascii=False) + "\n")

        def on_error(number: int, reason: str) -> None:
            stderr.write(f"line {number}: {reason}")

        try:
            stats = replay(source, rules, on_alert=on_alert, on_error=on_error)
        finally:
            if source is not sys.stdin:
                source.close()
            if output is not self.stdout:
                output.close()
        summary = {
            "lines": stats.lines,
            "readings": stats.readings,
            "malformed": stats.malformed,
            "alerts": stats.alerts,
            "out_of_order": stats.out_of_order,
        }
        stderr.write(json.dumps(summary))
