"""`yiyang audit verify|purge`: check the audit log's hash chain; delete events past retention."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiyang.audit.chain import verify_chain
from yiyang.audit.services import audit_purge, earliest_purge_cutoff, retention_days
from yiyang.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "审计日志：verify（校验哈希链，报告第一个断点）或 purge（清理超过保留期的日志）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="which", required=True)
        verify = sub.add_parser("verify", help="按顺序校验全部审计事件的哈希链；断裂时以非零状态退出")
        verify.add_argument("--chunk-size", type=int, default=5000, help="每次读取的事件数")
        verify.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        purge = sub.add_parser("purge", help="删除某日之前的审计事件（不得短于保留期），并记录检查点")
        purge.add_argument("--before", type=date.fromisoformat, required=True, help="YYYY-MM-DD（当地日期）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["which"] == "verify":
            self._verify(chunk_size=options["chunk_size"], as_json=options["json"])
        else:
            self._purge(options["before"])

    def _verify(self, *, chunk_size: int, as_json: bool) -> None:
        report = verify_chain(chunk_size=max(1, chunk_size))
        broken = report.first_broken
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "checked": report.checked,
                        "seconds": round(report.seconds, 3),
                        "ok": report.ok,
                        "first_broken": None if broken is None else broken.__dict__,
                    },
                    ensure_ascii=False,
                )
            )
        elif broken is None:
            self.stdout.write(f"审计链完整：已校验 {report.checked} 条事件（{report.seconds:.1f} 秒）。")
        else:
            self.stdout.write(
                f"已校验 {report.checked} 条事件，链在此断开：事件 id={broken.event_id}，序号={broken.sequence}，"
                f"{broken.problem}；期望 {broken.expected}，实际 {broken.found}"
            )
        if broken is not None:
            raise CommandError(f"审计链断裂：事件 id={broken.event_id}（{broken.problem}）", returncode=1)

    def _purge(self, before: date) -> None:
        try:
            result = audit_purge(before=before)
        except ValidationFailed as exc:
            raise CommandError(exc.errors[0].reason) from exc
        if result.deleted == 0:
            self.stdout.write(f"{before:%Y-%m-%d}之前没有审计事件，未删除。")
            return
        self.stdout.write(
            f"已删除{before:%Y-%m-%d}之前的审计事件 {result.deleted} 条（至序号 {result.last_sequence}），"
            f"检查点事件 id={result.checkpoint.pk if result.checkpoint else '-'}；"
            f"保留期 {retention_days()} 天，最晚可清理到 {earliest_purge_cutoff():%Y-%m-%d}。"
        )
