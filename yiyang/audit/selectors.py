from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None


def audit_events_in_reach(*, user: AnyUser) -> QuerySet[AuditEvent]:
    """Audit events of the officer's district; none without `audit.view` or a district scope."""
    if not has_perm(user, Perm.AUDIT_VIEW):
        return AuditEvent.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return AuditEvent.objects.all()
    if scope.kind is ScopeKind.DISTRICT:
        return AuditEvent.objects.filter(district_id=scope.area_id)
    return AuditEvent.objects.none()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(*, user: AnyUser, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """Events in reach, newest first, filtered by action, entity, actor username and local date range."""
    filters = filters or AuditFilters()
    qs = audit_events_in_reach(user=user).select_related("actor")
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.entity_type:
        qs = qs.filter(entity_type=filters.entity_type)
    if filters.entity_id:
        qs = qs.filter(entity_id=filters.entity_id)
    if filters.actor:
        qs = qs.filter(actor_label=filters.actor)
    if filters.since:
        qs = qs.filter(at__gte=_day_start(filters.since))
    if filters.until:
        qs = qs.filter(at__lt=_day_start(filters.until) + timedelta(days=1))
    return qs.order_by("-at", "-id")
