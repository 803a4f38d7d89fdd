"""Reads of alerts. Every list starts from `alerts_in_reach`: an alert is in reach when its elder is
(`elders_in_reach`) and the account holds `alerts.view`."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from yiyang.accounts.access import AnyUser, has_perm
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.alerts.choices import SEVERITY_RANK, AlertCategory, AlertStatus, DispatchTarget, Severity
from yiyang.alerts.models import Alert, AlertEvent, Delivery, EscalationPolicy
from yiyang.alerts.policy import PolicyDoc, default_policy
from yiyang.areas.access import access_area_filter
from yiyang.areas.choices import AreaLevel
from yiyang.devices.choices import DeviceKind
from yiyang.devices.models import Device, DeviceBinding
from yiyang.devices.selectors import devices_in_reach
from yiyang.elders.models import Elder
from yiyang.elders.selectors import elders_in_reach


def alerts_in_reach(*, user: AnyUser) -> QuerySet[Alert]:
    """Alerts of the elders the account may see; none without `alerts.view`."""
    if not has_perm(user, Perm.ALERTS_VIEW):
        return Alert.objects.none()
    return Alert.objects.filter(elder_id__in=elders_in_reach(user=user).values("pk"))


@dataclass(frozen=True)
class AlertFilters:
    status: str = ""  # a status, or "active" (not closed) / "closed"
    severity: str = ""
    alert_type: str = ""
    street: UUID | None = None
    category: str = ""  # "health" (health & safety) or "technical" (device faults); empty for both


def _category_q(category: str) -> Q:
    if category == AlertCategory.TECHNICAL:
        return Q(severity=Severity.TECHNICAL)
    if category == AlertCategory.HEALTH:
        return ~Q(severity=Severity.TECHNICAL)
    return Q()


def _street_pk(user: AnyUser, street: UUID) -> int:
    """The street filter's primary key; a street outside the reach (or unknown) raises AreaNotFound."""
    return access_area_filter(user=user, public_id=street, field="street", level=AreaLevel.STREET).pk


def _severity_rank() -> Case:
    return Case(
        *(When(severity=str(s), then=Value(rank)) for s, rank in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def alert_list(*, user: AnyUser, filters: AlertFilters | None = None) -> QuerySet[Alert]:
    """Alerts in reach matching the filters: active before closed, most severe first, newest first."""
    filters = filters or AlertFilters()
    qs = alerts_in_reach(user=user)
    if filters.status == "active":
        qs = qs.filter(closed_at__isnull=True)
    elif filters.status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.alert_type:
        qs = qs.filter(alert_type=filters.alert_type)
    if filters.category:
        qs = qs.filter(_category_q(filters.category))
    if filters.street:
        qs = qs.filter(street_id=_street_pk(user, filters.street))
    return (
        qs.select_related("elder", "street", "acknowledged_by", "dispatched_by")
        .annotate(
            severity_rank=_severity_rank(),
            is_active=Case(When(closed_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .order_by("-is_active", "-severity_rank", "-opened_at", "-id")
    )


def alert_console_list(
    *, user: AnyUser, street: UUID | None = None, category: str = AlertCategory.HEALTH
) -> QuerySet[Alert]:
    """What one view of a console shows: every alert of the category (health & safety by default,
    or technical) in reach that is not closed, most severe and newest first."""
    return alert_list(user=user, filters=AlertFilters(status="active", street=street, category=category))


def alert_open_counts(*, user: AnyUser, street: UUID | None = None) -> dict[str, int]:
    """Alerts in reach that are not closed, per console view: {"health": n, "technical": m}. One query."""
    qs = alerts_in_reach(user=user).filter(closed_at__isnull=True)
    if street:
        qs = qs.filter(street_id=_street_pk(user, street))
    counts = qs.aggregate(all=Count("pk"), technical=Count("pk", filter=Q(severity=Severity.TECHNICAL)))
    return {
        AlertCategory.HEALTH.value: counts["all"] - counts["technical"],
        AlertCategory.TECHNICAL.value: counts["technical"],
    }


def technical_alert_devices(*, user: AnyUser, alerts: list[Alert]) -> dict[int, Device]:
    """The device each technical alert is about, by alert pk, for the devices the account may see.

    Offline and low-battery alerts name their device (`last_detail["device_id"]`); a not-worn alert
    does not, so it is shown with the watch currently bound to the elder. Alerts whose device is out
    of the account's device reach (or who lacks `devices.view`) are left out. Two queries at most.
    """
    named: dict[int, int] = {}
    unnamed: dict[int, list[int]] = {}
    for alert in alerts:
        device_id = (alert.last_detail or {}).get("device_id")
        if isinstance(device_id, int):
            named[alert.pk] = device_id
        else:
            unnamed.setdefault(alert.elder_id, []).append(alert.pk)
    reach = devices_in_reach(user=user)
    found: dict[int, Device] = {}
    if named:
        devices = {d.pk: d for d in reach.filter(pk__in=set(named.values()))}
        found.update({alert_pk: devices[pk] for alert_pk, pk in named.items() if pk in devices})
    if unnamed:
        bindings = (
            DeviceBinding.objects.filter(
                until__isnull=True, elder_id__in=unnamed, device__kind=DeviceKind.WATCH, device__in=reach
            )
            .select_related("device")
            .order_by("elder_id", "-since", "-id")
        )
        for binding in bindings:
            for alert_pk in unnamed.get(binding.elder_id, []):
                found.setdefault(alert_pk, binding.device)
    return found


def alert_timeline(*, alert: Alert) -> QuerySet[AlertEvent]:
    """The alert's events, oldest first, each with its actor (and the actor's organisation and area)."""
    return alert.events.select_related("actor", "actor__organisation", "actor__area").order_by("id")


@dataclass(frozen=True)
class DeliveryRow:
    """One notification handed to a channel, with the account it went to when it went to one."""

    delivery: Delivery
    person: User | None


def alert_deliveries(*, alert: Alert) -> list[DeliveryRow]:
    """Every delivery of the alert's notifications (sent, failed, or skipped for want of a
    recipient), oldest first, with the account behind a `user:<pk>` recipient. Two queries."""
    deliveries = list(Delivery.objects.filter(alert=alert).order_by("id"))
    user_ids = {
        int(ref)
        for d in deliveries
        for kind, _sep, ref in [d.recipient_ref.partition(":")]
        if kind == "user" and ref.isdigit()
    }
    people = {u.pk: u for u in User.objects.filter(pk__in=user_ids).select_related("organisation", "area")}
    rows = []
    for d in deliveries:
        kind, _sep, ref = d.recipient_ref.partition(":")
        rows.append(DeliveryRow(d, people.get(int(ref)) if kind == "user" and ref.isdigit() else None))
    return rows


@dataclass(frozen=True)
class AlertDevice:
    device: Device
    location: str


def alert_devices(*, user: AnyUser, alert: Alert, events: list[AlertEvent]) -> dict[int, AlertDevice]:
    """The devices named (`device_id`) in the alert's last detail and its events' details, by id,
    with where each is installed for the elder; only devices in the account's device reach. Two
    queries at most."""
    ids: set[int] = set()
    for detail in [alert.last_detail, *(e.detail for e in events), *((e.detail or {}).get("detail") for e in events)]:
        if isinstance(detail, dict) and isinstance(detail.get("device_id"), int):
            ids.add(detail["device_id"])
    if not ids:
        return {}
    devices = {d.pk: d for d in devices_in_reach(user=user).filter(pk__in=ids)}
    locations = dict(
        DeviceBinding.objects.filter(device_id__in=devices, elder_id=alert.elder_id)
        .order_by("device_id", "since", "id")
        .values_list("device_id", "location")
    )
    return {pk: AlertDevice(d, locations.get(pk, "")) for pk, d in devices.items()}


def alert_event_cursor() -> int:
    """The id of the newest alert event: a stream that starts now sends only what comes after it."""
    return AlertEvent.objects.aggregate(m=Max("id"))["m"] or 0


def alert_events_since(*, user: AnyUser, cursor: int, limit: int = 200) -> list[AlertEvent]:
    """Events after `cursor` on alerts in reach, oldest first. Cheap when nothing changed: the
    first question touches only the primary-key index."""
    if not AlertEvent.objects.filter(id__gt=cursor).exists():
        return []
    return list(
        AlertEvent.objects.filter(id__gt=cursor, alert__in=alerts_in_reach(user=user))
        .select_related("alert", "alert__elder", "alert__street")
        .order_by("id")[:limit]
    )


def escalation_policy_for(*, district_id: int, severity: str) -> PolicyDoc:
    """The policy an alert of `severity` in the district copies when it opens."""
    override = EscalationPolicy.objects.filter(district_id=district_id, severity=severity).first()
    return _policy_from(override, severity)


def _policy_from(override: EscalationPolicy | None, severity: str) -> PolicyDoc:
    if override is None:
        return default_policy(severity)
    policy = dict(override.policy)
    policy["origin"] = f"district:{override.district_id}:{override.updated_at.isoformat()}"
    policy["severity"] = severity
    policy.setdefault("source", override.source)
    return policy


def escalation_policies_for_districts(district_ids: set[int]) -> dict[tuple[int, str], EscalationPolicy]:
    """District overrides for many districts in one query, keyed by (district_id, severity)."""
    rows = EscalationPolicy.objects.filter(district_id__in=district_ids)
    return {(row.district_id, row.severity): row for row in rows}


def policy_from_overrides(
    overrides: dict[tuple[int, str], EscalationPolicy], district_id: int, severity: str
) -> PolicyDoc:
    return _policy_from(overrides.get((district_id, severity)), severity)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    ordered = sorted(values)
    # Linear interpolation between closest ranks (the "inclusive" method of the statistics module).
    return round(statistics.quantiles(ordered, n=100, method="inclusive")[int(q * 100) - 1], 1)


def _sla_group(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def seconds(row: dict[str, Any], field: str) -> float | None:
        at = row[field]
        return None if at is None else (at - row["opened_at"]).total_seconds()

    ack = [s for s in (seconds(r, "acknowledged_at") for r in rows) if s is not None]
    dispatch = [s for s in (seconds(r, "dispatched_at") for r in rows) if s is not None]
    scene = [s for s in (seconds(r, "on_scene_at") for r in rows) if s is not None]
    total = len(rows)

    def share(limit: int) -> float | None:
        return None if not total else round(100 * sum(1 for s in ack if s <= limit) / total, 1)

    return {
        "alerts": total,
        "acknowledged": len(ack),
        "acknowledged_within_60s_pct": share(60),
        "acknowledged_within_180s_pct": share(180),
        "time_to_acknowledge_p50_s": _percentile(ack, 0.5),
        "time_to_acknowledge_p90_s": _percentile(ack, 0.9),
        "time_to_dispatch_p50_s": _percentile(dispatch, 0.5),
        "time_to_dispatch_p90_s": _percentile(dispatch, 0.9),
        "time_to_scene_p50_s": _percentile(scene, 0.5),
        "time_to_scene_p90_s": _percentile(scene, 0.9),
    }


def alert_sla_report(*, user: AnyUser, start: datetime, end: datetime) -> dict[str, Any]:
    """Response times of alerts in reach opened in [start, end): overall, per severity and per street.

    Shares are of all alerts opened (an alert never acknowledged counts as late); times are seconds
    from opening, with percentiles by linear interpolation. Health & safety alerts only: technical
    alerts (device faults, not calls for help) are left out (`"category": "health"` says so).
    """
    values = (
        alerts_in_reach(user=user)
        .filter(opened_at__gte=start, opened_at__lt=end)
        .filter(_category_q(AlertCategory.HEALTH))
        .values("severity", "street_id", "street__name", "opened_at", "acknowledged_at", "dispatched_at", "on_scene_at")
    )
    rows: list[dict[str, Any]] = [dict(row) for row in values]
    by_severity: dict[str, list[dict[str, Any]]] = {}
    by_street: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in rows:
        by_severity.setdefault(row["severity"], []).append(row)
        by_street.setdefault((row["street_id"], row["street__name"]), []).append(row)
    order = sorted(SEVERITY_RANK, key=lambda s: -SEVERITY_RANK[s])
    return {
        "start": start,
        "end": end,
        "category": AlertCategory.HEALTH.value,
        "overall": _sla_group(rows),
        "by_severity": [{"severity": str(s), **_sla_group(by_severity[s])} for s in order if s in by_severity],
        "by_street": [
            {"street": name, **_sla_group(group)}
            for (_pk, name), group in sorted(by_street.items(), key=lambda i: i[0][1])
        ],
    }


def sla_range(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    """[start, end] local dates as an aware [start 00:00, the day after end 00:00) range; the
    default is the last 30 days up to today."""
    end = end or timezone.localdate()
    start = start or end - timedelta(days=29)
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def elder_alert_history(*, user: AnyUser, elder: Elder, closed_limit: int = 10) -> list[Alert]:
    """The elder's alerts in the account's reach (`alerts_in_reach`): every one not closed (most
    severe, then newest first), then the newest `closed_limit` closed ones. Empty without `alerts.view`
    or when the elder is out of reach."""
    mine = alert_list(user=user).filter(elder=elder)
    active = list(mine.filter(closed_at__isnull=True))
    closed = list(mine.filter(closed_at__isnull=False).order_by("-closed_at", "-id")[:closed_limit])
    return active + closed


def elder_alerts_recent(*, user: AnyUser, elder: Elder, limit: int) -> QuerySet[Alert]:
    """The elder's `limit` newest alerts in the account's reach, by opening time."""
    return alerts_in_reach(user=user).filter(elder=elder).order_by("-opened_at", "-id")[:limit]


def alert_open_by_severity(*, user: AnyUser) -> dict[str, int]:
    """Alerts in reach that are not closed, per severity (every severity present, 0 when none), most
    severe first. One query."""
    rows = alerts_in_reach(user=user).filter(closed_at__isnull=True).values("severity").annotate(n=Count("pk"))
    found = {row["severity"]: row["n"] for row in rows}
    ranked = sorted(Severity, key=lambda s: SEVERITY_RANK.get(s, 0), reverse=True)
    return {severity.value: found.get(severity.value, 0) for severity in ranked}


# What is left to do on an active alert, most urgent step first: respond, then go or send someone,
# then (sent to a helper) arrive, then close; an alert sent to someone else waits on them.
ACTION_RESPOND, ACTION_DISPATCH, ACTION_ARRIVE, ACTION_CLOSE, ACTION_WAIT = range(5)


def alerts_by_next_step(*, user: AnyUser) -> QuerySet[Alert]:
    """Alerts in reach that are not closed, each annotated with `next_step` (an ACTION_* value): the
    ones still waiting for a response first, then those to dispatch or visit, those dispatched to a
    helper (to arrive), those on scene (to close), and last those dispatched to someone else; most
    severe and oldest first within a step, so nothing waits behind newer alerts."""
    return (
        alerts_in_reach(user=user)
        .filter(closed_at__isnull=True)
        .select_related("elder")
        .annotate(
            severity_rank=_severity_rank(),
            next_step=Case(
                When(status=AlertStatus.OPEN, then=Value(ACTION_RESPOND)),
                When(status=AlertStatus.ACKNOWLEDGED, then=Value(ACTION_DISPATCH)),
                When(status=AlertStatus.DISPATCHED, dispatch_target=DispatchTarget.HELPER, then=Value(ACTION_ARRIVE)),
                When(status=AlertStatus.ON_SCENE, then=Value(ACTION_CLOSE)),
                default=Value(ACTION_WAIT),
                output_field=IntegerField(),
            ),
        )
        .order_by("next_step", "-severity_rank", "opened_at", "id")
    )
