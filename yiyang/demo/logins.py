"""The demo accounts created by `yiyang seed`, described from the database for `yiyang demo_logins`."""

from dataclasses import dataclass

from yiyang.accounts.access import ScopeKind, scope_for
from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.accounts.permissions import default_permissions
from yiyang.demo import data
from yiyang.elders.selectors import elders_in_reach

DEMO_URL = "http://127.0.0.1:8000"


def _slug_of_first_community() -> str:
    return data.STREETS[0][4][0].split(":")[1]


# In the order they are listed; the station and institution names follow the seeded data.
DEMO_USERNAMES = (
    "admin",
    "bureau",
    "health",
    "street_huli",
    "centre_huli",
    f"station_{_slug_of_first_community()}",
    f"institution_{data.INSTITUTIONS[0][1]}",
    "doctor",
    "helper",
    "family",
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str


def demo_login_rows() -> list[DemoLogin]:
    """One row per demo account present in the database (none before the seed has run)."""
    users = {
        u.username: u for u in User.objects.select_related("area", "organisation").filter(username__in=DEMO_USERNAMES)
    }
    if "bureau" not in users:
        return []
    return [_describe(users[name]) for name in DEMO_USERNAMES if name in users]


def _describe(user: User) -> DemoLogin:
    if user.is_superuser:
        return DemoLogin(user.username, "超级管理员", "全部数据（Django 管理后台 /admin/）")
    role = str(Role(user.role).label) if user.role in Role.values else user.role or "—"
    scope = scope_for(user)
    elders = elders_in_reach(user=user).count()
    where = {
        ScopeKind.DISTRICT: lambda: f"{user.area}全区",
        ScopeKind.STREET: lambda: f"{user.area}" + (f"（{user.organisation}）" if user.organisation else ""),
        ScopeKind.COMMUNITY: lambda: f"{user.area}" + (f"（{user.organisation}）" if user.organisation else ""),
        ScopeKind.ORGANISATION: lambda: f"{user.organisation}",
        ScopeKind.HELPER: lambda: "结对的独居老人",
        ScopeKind.FAMILY: lambda: "关联的老人",
    }.get(scope.kind, lambda: "无（账号配置不完整）")()
    return DemoLogin(user.username, role, f"{where}，可见老年人 {elders:,} 名")


def demo_permissions_refresh() -> int:
    """Give each demo account its role's current default permissions, so that a demo database seeded
    before a permission existed (e.g. `alerts.view`) offers the new pages. Demo accounts only; returns
    how many changed."""
    changed = 0
    for user in User.objects.filter(username__in=DEMO_USERNAMES, is_superuser=False).exclude(role=""):
        wanted = default_permissions(user.role)
        if sorted(user.permissions or []) != wanted:
            user.permissions = wanted
            user.save(update_fields=["permissions"])
            changed += 1
    return changed
