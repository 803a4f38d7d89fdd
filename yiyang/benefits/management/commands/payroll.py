"""`yiyang payroll --month 2026-11 [--district CODE] [--as USERNAME] [--lock]`: compute a district's
monthly payroll from the command line (the batch a scheduler runs), print its totals, lock it if asked.

The run is computed through the same service as the page and the API, so it is checked, audited and
explained the same way. Who computes it: a run records the account that computed (and locked) it, a
real account that answers for it in the audit log, never an anonymous "system". The command acts as
`--as USERNAME` when given (it must hold `benefits.payroll` for the district), else as the district's
first active bureau officer (lowest id) holding `benefits.payroll` — the officer the district set up
first, who is also the one the demo seeds. A district without such an officer is an error naming it.

A locked month is refused with the reason (exit status 1); nothing is written then.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiyang.accounts.access import has_perm
from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.benefits.payroll_access import payroll_districts_in_reach
from yiyang.benefits.payroll_selectors import month_from_text, payroll_run_totals
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.core.errors import ApplicationError


class Command(BaseCommand):
    help = "计算某区某月的补贴发放表（可选锁定），输出合计和笔数。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="发放月份 YYYY-MM，例如 2026-11")
        parser.add_argument("--district", default="", help="区代码；只有一个区时可省略")
        parser.add_argument("--as", dest="username", default="", help="以该账号计算（须有编制发放表权限）")
        parser.add_argument("--lock", action="store_true", help="计算后立即锁定（最终版本）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = month_from_text(options["month"])
        except ApplicationError as exc:
            raise CommandError(exc.errors[0].reason if exc.errors else exc.message) from exc
        district = self._district(options["district"])
        actor = self._actor(district, options["username"])
        try:
            run = payroll_compute(actor=actor, district=district, month=month)
            if options["lock"]:
                run = payroll_lock(actor=actor, run=run)
        except ApplicationError as exc:
            reasons = "；".join(e.reason for e in exc.errors) or exc.message
            raise CommandError(f"{district.name}（{district.code}）{month:%Y-%m}：{reasons}") from exc
        totals = payroll_run_totals(run=run)
        self.stdout.write(
            self.style.SUCCESS(
                f"{district.name}（{district.code}）{month:%Y-%m} 发放表：{run.line_count} 笔，"
                f"合计 {run.total:.2f} 元（银行代发 {totals.bank_total:.2f} 元，追回 {totals.recoveries_total:.2f} 元）；"
                f"{run.get_status_display()}；计算人 {actor.username}"
            )
        )
        for total in totals.by_scheme:
            self.stdout.write(f"  {total.label}：{total.count} 笔，{total.amount:.2f} 元")

    def _district(self, code: str) -> Area:
        districts = Area.objects.filter(level="district")
        if code:
            districts = districts.filter(code=code)
        found = list(districts.order_by("code")[:2])
        if len(found) != 1:
            raise CommandError("请用 --district 指定区代码" if found else f"没有找到区{('：' + code) if code else ''}")
        return found[0]

    def _actor(self, district: Area, username: str) -> User:
        if username:
            account = User.objects.filter(username=username, is_active=True).first()
            if account is None:
                raise CommandError(f"没有找到账号：{username}")
            if not has_perm(account, Perm.BENEFITS_PAYROLL) or not payroll_districts_in_reach(user=account).filter(
                pk=district.pk
            ):
                raise CommandError(f"账号 {username} 不能编制{district.name}的发放表")
            return account
        for account in User.objects.filter(role=Role.BUREAU_OFFICER, area=district, is_active=True).order_by("id"):
            if has_perm(account, Perm.BENEFITS_PAYROLL):
                return account
        raise CommandError(f"{district.name}没有可编制发放表的区级账号：请用 --as 指定")
