"""Reads of organisations, beds and admissions, always starting from what the account may see."""

from django.db.models import Count, Q, QuerySet

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.organisations.choices import BedState
from yiyang.organisations.models import Admission, Bed, Organisation


def organisations_in_reach(*, user: AnyUser) -> QuerySet[Organisation]:
    """Organisations in the account's area; an institution or medical account sees its own only."""
    if not has_perm(user, Perm.ORGS_VIEW):
        return Organisation.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return Organisation.objects.all()
    if scope.is_area:
        return Organisation.objects.filter(scope.area_q(community="area"))
    if scope.kind is ScopeKind.ORGANISATION:
        return Organisation.objects.filter(pk=scope.organisation_id)
    return Organisation.objects.none()


def beds_in_reach(*, user: AnyUser) -> QuerySet[Bed]:
    return Bed.objects.filter(organisation__in=organisations_in_reach(user=user))


def admissions_in_reach(*, user: AnyUser) -> QuerySet[Admission]:
    return Admission.objects.filter(organisation__in=organisations_in_reach(user=user))


def _rate(occupied: int, total: int) -> float | None:
    return round(100.0 * occupied / total, 1) if total else None


def occupancy_summary(*, user: AnyUser) -> dict[str, object]:
    """Beds in reach by state, and the occupancy rate (occupied / beds not out of service)."""
    counts = beds_in_reach(user=user).aggregate(
        total=Count("id", filter=~Q(state=BedState.UNAVAILABLE)),
        occupied=Count("id", filter=Q(state=BedState.OCCUPIED)),
        reserved=Count("id", filter=Q(state=BedState.RESERVED)),
        free=Count("id", filter=Q(state=BedState.FREE)),
        unavailable=Count("id", filter=Q(state=BedState.UNAVAILABLE)),
    )
    return {**counts, "rate": _rate(counts["occupied"], counts["total"])}
