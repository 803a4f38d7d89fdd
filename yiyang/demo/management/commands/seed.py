"""`yiyang seed`: build the synthetic demo district (see `yiyang.demo.seeding`).

A bulk loader of invented data: it writes straight to the models, not through the registry
services, and must never be pointed at a database holding real people's records it could mix with.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from yiyang.demo import data
from yiyang.demo.logins import demo_permissions_refresh
from yiyang.demo.seeding import DistrictExists, DistrictSeeder, district_exists

DEFAULT_SEED = 20250206


class Command(BaseCommand):
    help = (
        "生成演示区（湖里区（演示），区划代码350206）：5个街道、59个社区、养老机构与服务网络、"
        "老年人档案和各角色演示账号。数据全部为虚构。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--elders", type=int, default=data.FULL_ELDERS, help=f"老年人数（默认{data.FULL_ELDERS}，与湖里区相同）"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子；相同参数生成完全相同的数据")
        parser.add_argument("--if-empty", action="store_true", help="演示区已存在时不做任何事")
        parser.add_argument("--batch-size", type=int, default=10_000, help="每批写入的老年人数")

    def handle(self, *args: Any, elders: int, seed: int, if_empty: bool, batch_size: int, **options: Any) -> None:
        if elders < 0:
            raise CommandError("--elders 不能为负数")
        if district_exists():
            if if_empty:
                refreshed = demo_permissions_refresh()
                self.stdout.write(
                    f"演示区（区划代码{data.DISTRICT_CODE}）已存在，未生成任何数据；"
                    f"{refreshed} 个演示账号的权限已更新为角色默认权限。"
                )
                return
            raise CommandError(
                f"演示区（区划代码{data.DISTRICT_CODE}）已存在。请使用 --if-empty 跳过，或使用新的数据库。"
            )
        self.stdout.write(
            f"生成演示区：{elders:,}名老年人，seed={seed}，数据库 {connection.vendor}，每批 {batch_size:,}"
        )
        seeder = DistrictSeeder(elders=elders, seed=seed, batch_size=batch_size, log=self.stdout.write)
        try:
            report = seeder.run()
        except DistrictExists:
            raise CommandError(f"演示区（区划代码{data.DISTRICT_CODE}）已存在。") from None
        counts = report.counts
        self.stdout.write(
            f"  街道 {counts['streets']}，社区 {counts['communities']}；养老机构 {counts['organisations.institution']}，"
            f"照料中心 {counts['organisations.care_centre']}，养老服务站 {counts['organisations.station']}，"
            f"“一老一小”综合体 {counts['organisations.complex']}，社区卫生服务中心 "
            f"{counts['organisations.health_centre']}，医院 {counts['organisations.hospital']}，"
            f"诊所 {counts['organisations.clinic']}"
        )
        self.stdout.write(
            f"  老年人 {counts['elders']:,}（户籍 {counts['registered']:,}），家庭 {counts['homes']:,}，"
            f"家庭成员 {counts['home_members']:,}，紧急联系人 {counts['emergency_contacts']:,}；"
            f"床位 {counts['beds']:,}，入住 {counts['residents']:,}；助老员 {counts['helpers']:,}，"
            f"结对 {counts['helper_assignments']:,}"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{report.elders:,}名老年人，用时 {report.seconds:.1f} 秒，{report.rate:,.0f} 人/秒"
            )
        )
