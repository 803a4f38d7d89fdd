from typing import Any

from django.http import HttpRequest

from yiyang.accounts.access import ScopeKind, scope_for, user_perms
from yiyang.accounts.choices import PERSONAL_ROLES
from yiyang.accounts.permissions import Perm


def staff(request: HttpRequest) -> dict[str, Any]:
    """Expose the signed-in user's permissions to templates as `perms_named` (a set of codes), and
    `personal_account`: a helper's or family member's account, which gets the short menu;
    `district_account`: an account placed at a district (or a superuser), which sees district-wide work
    such as the monthly payroll."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_named": frozenset(), "Perm": Perm, "personal_account": False, "district_account": False}
    return {
        "perms_named": user_perms(user),
        "Perm": Perm,
        "personal_account": getattr(user, "role", "") in PERSONAL_ROLES,
        "district_account": scope_for(user).kind in (ScopeKind.ALL, ScopeKind.DISTRICT),
    }
