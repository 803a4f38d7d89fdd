"""`yiyang seed_benefits`: demo applications, entitlements and payrolls (run after `seed_assessments`).

A bulk loader of invented data (see `yiyang.benefits.services.seeding`); never for a database holding
real people's records.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.benefits.services.seeding import DEFAULT_SEED, BenefitsExist, BenefitsSeeder, benefits_exist

DEFAULT_OFFICER = "bureau"


class Command(BaseCommand):
    help = (
        "为演示区生成补贴演示数据：各状态、各渠道的申请（含附件），各补贴项目的待遇，老年人状况变更，"
        "本年度预算，以及近六个月的月度发放表（前五个月已锁定，上月已计算待锁定）。数据全部为虚构。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="", help="区代码（默认：唯一的区）")
        parser.add_argument("--officer", default=DEFAULT_OFFICER, help="编制发放表的区级经办人用户名")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument("--today", default="", help="以哪一天为今天（YYYY-MM-DD，默认今天）")
        parser.add_argument("--if-empty", action="store_true", help="该区已有补贴数据时不做任何事")

    def handle(self, *args: Any, **options: Any) -> None:
        district = self._district(options["district"])
        quiet = options["verbosity"] < 1
        if benefits_exist(district=district):
            if options["if_empty"]:
                if not quiet:
                    self.stdout.write(f"{district.name}已有补贴数据，未生成任何数据。")
                return
            raise CommandError(f"{district.name}已有补贴数据。请使用 --if-empty 跳过，或使用新的数据库。")
        officer = User.objects.filter(username=options["officer"]).first()
        if officer is None:
            raise CommandError(f"找不到演示账号：{options['officer']}（请先运行 yiyang seed）")
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError:
            raise CommandError("--today 应为 YYYY-MM-DD") from None
        log = None if quiet else self.stdout.write
        if log:
            log(f"生成补贴演示数据：{district.name}，seed={options['seed']}，今天 {today}")
        seeder = BenefitsSeeder(district=district, officer=officer, today=today, seed=options["seed"], log=log)
        try:
            report = seeder.run()
        except BenefitsExist:
            raise CommandError(f"{district.name}已有补贴数据。") from None
        counts = report.counts
        if quiet:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：申请 {counts['applications']:,} 份，待遇 {counts['entitlements']:,} 项，"
                f"发放表 {counts['payroll_runs']} 个月，用时 {report.seconds:.1f} 秒"
            )
        )

    def _district(self, code: str) -> Area:
        districts = Area.objects.filter(level="district")
        if code:
            districts = districts.filter(Q(code=code))
        found = list(districts[:2])
        if len(found) != 1:
            raise CommandError("请用 --district 指定区代码" if found else "没有找到区：请先运行 yiyang seed")
        return found[0]
