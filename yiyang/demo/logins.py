"""The demo accounts created by `yiyang seed`, described from the database for `yiyang demo_logins`."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yiyang.accounts.access import ScopeKind, scope_for
from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.demo import data
from yiyang.elders.selectors import elders_on_roll

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
    "assessor_huli",
    "reviewer",
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
    """The account's role and reach in the active language (names of places and organisations as stored)."""
    if user.is_superuser:
        return DemoLogin(user.username, _("超级管理员"), _("全部数据（Django 管理后台 /admin/）"))
    role = str(Role(user.role).label) if user.role in Role.values else user.role or "—"
    scope = scope_for(user)
    elders = elders_on_roll(user=user).count()

    def area_with_organisation() -> str:
        if user.organisation:
            return _("%(area)s（%(organisation)s）") % {"area": user.area, "organisation": user.organisation}
        return f"{user.area}"

    where = {
        ScopeKind.DISTRICT: lambda: _("%(district)s全区") % {"district": user.area},
        ScopeKind.STREET: area_with_organisation,
        ScopeKind.COMMUNITY: area_with_organisation,
        ScopeKind.ORGANISATION: lambda: f"{user.organisation}",
        ScopeKind.HELPER: lambda: _("结对的独居老人"),
        ScopeKind.FAMILY: lambda: _("关联的老人"),
    }.get(scope.kind, lambda: _("无（账号配置不完整）"))()
    return DemoLogin(
        user.username, role, _("%(where)s，在册老年人 %(count)s 名") % {"where": where, "count": f"{elders:,}"}
    )


def demo_permissions_refresh() -> int:
    """Clear the grants and withdrawals of the demo accounts so that each holds exactly its role's
    permissions. Demo accounts only; returns how many changed.

    A permission a release adds to a role reaches every account by itself (accounts store only their
    deviations from the role). This undoes what was granted or withdrawn while demonstrating, and the
    withdrawals recorded when a demo database seeded before a permission existed (e.g. `alerts.view`)
    was converted to deviations.
    """
    accounts = User.objects.filter(username__in=DEMO_USERNAMES, is_superuser=False)
    return accounts.exclude(permissions_granted=[], permissions_withdrawn=[]).update(
        permissions_granted=[], permissions_withdrawn=[]
    )
