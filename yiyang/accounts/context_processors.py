from typing import Any

from django.http import HttpRequest

from yiyang.accounts.access import user_perms
from yiyang.accounts.choices import PERSONAL_ROLES
from yiyang.accounts.permissions import Perm


def staff(request: HttpRequest) -> dict[str, Any]:
    """Expose the signed-in user's permissions to templates as `perms_named` (a set of codes), and
    `personal_account`: a helper's or family member's account, which gets the short menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_named": frozenset(), "Perm": Perm, "personal_account": False}
    return {
        "perms_named": user_perms(user),
        "Perm": Perm,
        "personal_account": getattr(user, "role", "") in PERSONAL_ROLES,
    }
