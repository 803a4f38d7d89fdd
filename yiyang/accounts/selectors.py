from django.db.models import Q, QuerySet

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm


def staff_in_reach(*, user: AnyUser) -> QuerySet[User]:
    """Accounts an officer holding `accounts.manage` may see: those placed in their district.

    An account is placed by its area or its organisation; family accounts are placed by their elder.
    """
    if not has_perm(user, Perm.STAFF_MANAGE):
        return User.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return User.objects.all()
    if scope.kind is ScopeKind.DISTRICT:
        district = scope.area_id
        return User.objects.filter(
            Q(area_id=district)
            | Q(area__district_id=district)
            | Q(organisation__district_id=district)
            | Q(family_links__elder__district_id=district)
        ).distinct()
    return User.objects.none()


def staff_list(*, user: AnyUser, q: str = "", role: str = "", active: bool | None = None) -> QuerySet[User]:
    """`staff_in_reach` by username, narrowed by `q` (username by prefix, or name anywhere in it),
    `role` and whether the account is active."""
    qs = staff_in_reach(user=user)
    text = q.strip()
    if text:
        qs = qs.filter(Q(username__istartswith=text) | Q(full_name__icontains=text))
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("area", "organisation").order_by("username")
