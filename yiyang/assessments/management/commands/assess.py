"""`yiyang assess --scale SCALE --answers FILE.json`: score one set of answers, print the result as JSON.

Needs no database. Bad input (unknown scale, bad answers, unreadable or malformed files, a bad policy
override) prints {"error": ..., "errors": [{field, reason, code}]} to stderr and exits with status 2.
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn, cast

import yaml
from django.core.management.base import BaseCommand, CommandParser

from yiyang.assessments.scales import score
from yiyang.core.errors import ApplicationError, FieldError

EXIT_BAD_INPUT = 2


class _BadFile(Exception):
    def __init__(self, field: str, reason: str, code: str) -> None:
        super().__init__(reason)
        self.error = FieldError(field, reason, code)


class Command(BaseCommand):
    help = "按评估量表计算一组答案的等级，输出 JSON（含计算过程和未经核实的数值）。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            required=True,
            help="量表代码：gbt42195-2022、ltc-2021、ltc-2021-self、barthel、selfcare-phs、mzt039-2013",
        )
        parser.add_argument("--answers", required=True, help="答案 JSON 文件；“-”表示从标准输入读取")
        parser.add_argument("--policy", help="政策数据覆盖文件（JSON，或扩展名为 .yaml/.yml 的 YAML）")
        parser.add_argument(
            "--no-stack",
            action="store_true",
            help="变更依据不叠加（stack_level_rules=false，仅 gbt42195-2022 与 mzt039-2013）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            answers = _read_answers(options["answers"])
            policy = _read_policy(options["policy"]) if options.get("policy") else None
            settings = {"stack_level_rules": False} if options.get("no_stack") else None
            # score() validates both shapes itself and reports a non-object as a field error.
            result = score(
                options["scale"],
                cast(Mapping[str, object], answers),
                policy=cast(Mapping[str, object] | None, policy),
                settings=settings,
            )
        except _BadFile as exc:
            self._fail(str(exc), [exc.error])
        except ApplicationError as exc:
            self._fail(exc.message, exc.errors)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))

    def _fail(self, message: str, errors: list[FieldError]) -> NoReturn:
        payload = {"error": message, "errors": [error.as_dict() for error in errors]}
        self.stderr.style_func = None  # plain JSON, never wrapped in terminal colours
        self.stderr.write(json.dumps(payload, ensure_ascii=False, indent=2))
        raise SystemExit(EXIT_BAD_INPUT)


def _read_answers(name: str) -> object:
    if name == "-":
        text = sys.stdin.read()
        where = "标准输入"
    else:
        text = _read_text(name, "answers")
        where = name
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadFile("answers", f"答案（{where}）不是合法的 JSON：{exc}", "invalid_json") from exc


def _read_policy(name: str) -> object:
    text = _read_text(name, "policy")
    if Path(name).suffix.lower() in {".yaml", ".yml"}:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _BadFile("policy", f"政策数据文件 {name} 不是合法的 YAML：{exc}", "invalid_yaml") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadFile("policy", f"政策数据文件 {name} 不是合法的 JSON：{exc}", "invalid_json") from exc


def _read_text(name: str, field: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _BadFile(field, f"无法读取文件 {name}：{exc}", "unreadable") from exc
