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
