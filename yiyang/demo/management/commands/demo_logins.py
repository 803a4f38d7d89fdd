"""`yiyang demo_logins`: the demo accounts, their role and scope, read from the database."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from yiyang.demo.logins import DEMO_URL, demo_login_rows


class Command(BaseCommand):
    help = "列出演示账号（用户名、角色、范围）和访问地址。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default=DEMO_URL, help="演示服务的访问地址（make demo 传入 HOST）")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_login_rows()
        if not rows:
            self.stdout.write(_("尚未生成演示数据：请先运行 `yiyang seed`。"))
            return
        from yiyang.demo.data import DEMO_PASSWORD

        headers = (_("用户名"), _("角色"), _("范围"))
        table = [headers, *[(r.username, r.role, r.scope) for r in rows]]
        widths = [max(_width(row[i]) for row in table) for i in range(len(headers))]
        self.stdout.write("")
        self.stdout.write(
            _("演示地址：%(url)s    所有演示账号的密码：%(password)s")
            % {"url": options["url"], "password": DEMO_PASSWORD}
        )
        self.stdout.write("")
        for n, row in enumerate(table):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")


def _width(text: str) -> int:
    """Display width in a terminal: CJK and full-width characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
