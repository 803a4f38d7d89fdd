from typing import Any

from django.http import HttpRequest

from yiyang.accounts.access import user_perms
from yiyang.accounts.permissions import Perm


def staff(request: HttpRequest) -> dict[str, Any]:
    """Expose the signed-in user's permissions to templates as `perms_named` (a set of codes)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_named": frozenset(), "Perm": Perm}
    return {"perms_named": user_perms(user), "Perm": Perm}
