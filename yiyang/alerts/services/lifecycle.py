"""The people's side of an alert: acknowledge, dispatch, on scene, close. Each step is timed,
attributed, audited, permission- and reach-checked, and safe to retry."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.alerts.choices import (
    CLOSE_CODE_STATUS,
    AlertStatus,
    CloseCode,
    DispatchTarget,
    EventKind,
    Recipient,
)
from yiyang.alerts.errors import AlertNotFound, AlertTransitionRefused
from yiyang.alerts.models import Alert, AlertEvent
from yiyang.alerts.policy import reescalate_interval
from yiyang.alerts.selectors import alerts_in_reach
from yiyang.alerts.services.notify import notify_after_commit
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector

NOTE_MAX = 1000
DISPATCH_RECIPIENTS: dict[str, list[Recipient]] = {
    DispatchTarget.HELPER: [Recipient.HELPER],
    DispatchTarget.FAMILY: [Recipient.FAMILY],
    DispatchTarget.EMERGENCY_120: [Recipient.EMERGENCY_120],
    DispatchTarget.OTHER: [],
}


def _lock(actor: AnyUser, alert: Alert) -> Alert:
    """Check the right and the reach, then reload the alert locked (PostgreSQL) for the change."""
    require_perm(actor, Perm.ALERTS_HANDLE)
    if not alerts_in_reach(user=actor).filter(pk=alert.pk).exists():
        raise AlertNotFound
    return Alert.objects.select_for_update().select_related("elder").get(pk=alert.pk)


def _actor(actor: AnyUser) -> User | None:
    return actor if isinstance(actor, User) else None


def _record(
    alert: Alert, actor: AnyUser, kind: str, at: datetime, summary: str | Callable[[], str], detail: dict[str, object]
) -> None:
    AlertEvent.objects.create(alert=alert, kind=kind, at=at, actor=_actor(actor), detail=detail)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="alert",
        entity_id=str(alert.public_id),
        summary=summary,
        fields=["status"],
        district=alert.district_id,
    )


def _refuse_closed(alert: Alert) -> None:
    if alert.is_closed:
        raise AlertTransitionRefused(_("告警已关闭"))


def _acknowledge_fields(alert: Alert, actor: AnyUser, now: datetime) -> None:
    alert.acknowledged_at = now
    alert.acknowledged_by = _actor(actor)
    # Escalation by acknowledgement timeout stops; an emergency re-escalates if still unresolved.
    interval = reescalate_interval(alert.policy)
    alert.next_escalation_at = now + interval if interval else None


@transaction.atomic
def alert_acknowledge(*, actor: AnyUser, alert: Alert, note: str = "") -> Alert:
    """Take responsibility for an open alert: stops the acknowledgement-timeout escalation.

    Idempotent: acknowledging an alert that is already acknowledged (or further) returns it
    unchanged. Refuses a closed alert (AlertTransitionRefused). Needs `alerts.handle`.
    """
    alert = _lock(actor, alert)
    _refuse_closed(alert)
    if alert.status != AlertStatus.OPEN:
        return alert
    now = timezone.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    _acknowledge_fields(alert, actor, now)
    if note:
        alert.note = note[:NOTE_MAX]
    alert.save(
        update_fields=["status", "acknowledged_at", "acknowledged_by", "next_escalation_at", "note", "updated_at"]
    )
    seconds = round((now - alert.opened_at).total_seconds(), 1)
    _record(alert, actor, EventKind.ACKNOWLEDGED, now, f"响应告警（{seconds}秒）", {"seconds": seconds})
    return alert


@transaction.atomic
def alert_dispatch(*, actor: AnyUser, alert: Alert, target: str, to_name: str = "", note: str = "") -> Alert:
    """Send someone: the helper, the family or 120 (with the hand-off sheet), or another person.

    Allowed from open (which also acknowledges), acknowledged and dispatched (a further dispatch,
    say 120 after the helper; the first dispatch time is kept for the SLA). Idempotent: repeating
    the current dispatch changes nothing. Refused once on scene or closed. The chosen target is
    notified after commit. Needs `alerts.handle`.
    """
    errors = ErrorCollector()
    if target not in DispatchTarget.values:
        errors.add("target", _("派遣对象无效"), "invalid_choice")
    if target == DispatchTarget.OTHER and not to_name.strip():
        errors.add("to_name", _("请填写派遣给谁"), "required")
    errors.raise_if_any(_("派遣信息有误"))
    alert = _lock(actor, alert)
    _refuse_closed(alert)
    if alert.status == AlertStatus.ON_SCENE:
        raise AlertTransitionRefused(_("人员已到场，无需再派遣"))
    to_name = to_name.strip()[:100]
    if alert.status == AlertStatus.DISPATCHED and alert.dispatch_target == target and alert.dispatched_to == to_name:
        return alert
    now = timezone.now()
    if alert.acknowledged_at is None:
        _acknowledge_fields(alert, actor, now)
        AlertEvent.objects.create(
            alert=alert,
            kind=EventKind.ACKNOWLEDGED,
            at=now,
            actor=_actor(actor),
            detail={"seconds": round((now - alert.opened_at).total_seconds(), 1), "by": "dispatch"},
        )
    alert.status = AlertStatus.DISPATCHED
    alert.dispatched_at = alert.dispatched_at or now
    alert.dispatched_by = alert.dispatched_by or _actor(actor)
    alert.dispatch_target = target
    alert.dispatched_to = to_name
    if note:
        alert.note = note[:NOTE_MAX]
    alert.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "next_escalation_at",
            "dispatched_at",
            "dispatched_by",
            "dispatch_target",
            "dispatched_to",
            "note",
            "updated_at",
        ]
    )
    _record(
        alert,
        actor,
        EventKind.DISPATCHED,
        now,
        lambda: f"派遣：{DispatchTarget(target).label}",
        {"target": target, "handoff_sheet": target == "emergency_120"},
    )
    dispatches = alert.events.filter(kind=EventKind.DISPATCHED).count()
    notify_after_commit(alert.pk, f"dispatch{dispatches}:{target}", [str(r) for r in DISPATCH_RECIPIENTS[target]])
    return alert


@transaction.atomic
def alert_on_scene(*, actor: AnyUser, alert: Alert, note: str = "") -> Alert:
    """Someone dispatched has reached the elder. Only from dispatched; idempotent when already on
    scene. Needs `alerts.handle`."""
    alert = _lock(actor, alert)
    _refuse_closed(alert)
    if alert.status == AlertStatus.ON_SCENE:
        return alert
    if alert.status != AlertStatus.DISPATCHED:
        raise AlertTransitionRefused(_("请先派遣人员"))
    now = timezone.now()
    alert.status = AlertStatus.ON_SCENE
    alert.on_scene_at = now
    alert.on_scene_by = _actor(actor)
    if note:
        alert.note = note[:NOTE_MAX]
    alert.save(update_fields=["status", "on_scene_at", "on_scene_by", "note", "updated_at"])
    seconds = round((now - alert.opened_at).total_seconds(), 1)
    _record(alert, actor, EventKind.ON_SCENE, now, f"到场（{seconds}秒）", {"seconds": seconds})
    return alert


@transaction.atomic
def alert_close(*, actor: AnyUser, alert: Alert, close_code: str, note: str = "") -> Alert:
    """Close an alert with a close code (which sets the closed status: resolved, false alarm or
    cancelled by the elder). Allowed from any status that is not closed; `other` needs a note.
    Stops escalation and frees the (elder, type) so the next raise opens a new alert.
    Idempotent: closing again with the same code returns the alert; another code is refused.
    Needs `alerts.handle`.
    """
    errors = ErrorCollector()
    if close_code not in CloseCode.values:
        errors.add("close_code", _("请选择关闭原因"), "required" if not close_code else "invalid_choice")
    if close_code == CloseCode.OTHER and not note.strip():
        errors.add("note", _("关闭原因为“其他”时请填写说明"), "required")
    errors.raise_if_any(_("关闭信息有误"))
    alert = _lock(actor, alert)
    if alert.is_closed:
        if alert.close_code == close_code:
            return alert
        raise AlertTransitionRefused(_("告警已关闭"))
    now = timezone.now()
    previous = alert.status
    alert.status = CLOSE_CODE_STATUS[CloseCode(close_code)]
    alert.close_code = close_code
    alert.closed_at = now
    alert.closed_by = _actor(actor)
    alert.next_escalation_at = None
    if note:
        alert.note = note[:NOTE_MAX]
    alert.save(
        update_fields=["status", "close_code", "closed_at", "closed_by", "next_escalation_at", "note", "updated_at"]
    )
    _record(
        alert,
        actor,
        EventKind.CLOSED,
        now,
        lambda: f"关闭告警：{CloseCode(close_code).label}",
        {"close_code": close_code, "from": previous},
    )
    return alert
