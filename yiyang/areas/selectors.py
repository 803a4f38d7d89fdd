from django.db.models import Q, QuerySet

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area


def areas_in_reach(*, user: AnyUser) -> QuerySet[Area]:
    """Areas the account may see: its district, street (with its communities) or community.

    Organisation-scoped accounts see the area their organisation sits in and the areas above it;
    helpers and family members see none.
    """
    if not has_perm(user, Perm.AREAS_VIEW):
        return Area.objects.none()
    scope = scope_for(user)
    qs = Area.objects.all()
    if scope.kind is ScopeKind.ALL:
        return qs
    if scope.kind is ScopeKind.DISTRICT:
        return qs.filter(Q(pk=scope.area_id) | Q(district_id=scope.area_id))
    if scope.kind is ScopeKind.STREET:
        return qs.filter(Q(pk=scope.area_id) | Q(street_id=scope.area_id))
    if scope.kind in (ScopeKind.COMMUNITY, ScopeKind.ORGANISATION):
        return qs.filter(Q(pk=scope.area_id))
    return Area.objects.none()


def communities_in_reach(*, user: AnyUser) -> QuerySet[Area]:
    return areas_in_reach(user=user).filter(level=AreaLevel.COMMUNITY)


def streets_in_reach(*, user: AnyUser) -> QuerySet[Area]:
    return areas_in_reach(user=user).filter(level=AreaLevel.STREET)


def area_tree(*, user: AnyUser) -> list[dict[str, object]]:
    """Areas in reach as nested dicts `{area, children}`, roots first, ordered by code."""
    areas = list(areas_in_reach(user=user).order_by("code"))
    by_id = {a.pk: {"area": a, "children": []} for a in areas}
    roots: list[dict[str, object]] = []
    for area in areas:
        node = by_id[area.pk]
        parent = by_id.get(area.parent_id) if area.parent_id else None
        if parent is not None:
            parent["children"].append(node)  # type: ignore[attr-defined]
        else:
            roots.append(node)
    return roots
