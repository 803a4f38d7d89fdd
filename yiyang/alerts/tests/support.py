"""Helpers shared by this app's tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

from yiyang.accounts.models import User
from yiyang.alerts.models import Alert
from yiyang.alerts.services import alerts_apply
from yiyang.core.testing import grant_permissions
from yiyang.monitoring.engine.contract import ConditionCleared, DowngradeAlert, RaiseAlert

T0 = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def raise_cmd(
    elder: Any,
    alert_type: str = "sos",
    severity: str = "emergency",
    at: datetime = T0,
    rule: str = "sos.any",
    **detail: Any,
) -> RaiseAlert:
    return RaiseAlert(
        elder_id=elder.pk,
        alert_type=alert_type,
        severity=severity,  # type: ignore[arg-type]
        at=at,
        rule=rule,
        detail=detail or {"code": "01"},
    )


def downgrade_cmd(
    elder: Any, alert_type: str, severity: str, at: datetime = T0, reason: str = "cancelled"
) -> DowngradeAlert:
    return DowngradeAlert(elder_id=elder.pk, alert_type=alert_type, severity=severity, at=at, reason=reason)  # type: ignore[arg-type]


def cleared_cmd(elder: Any, alert_type: str, at: datetime = T0) -> ConditionCleared:
    return ConditionCleared(elder_id=elder.pk, alert_type=alert_type, at=at)


def open_alert(elder: Any, alert_type: str = "sos", severity: str = "emergency", at: datetime = T0) -> Alert:
    """Open one alert through the service (notifications not run) and return it."""
    result = alerts_apply([raise_cmd(elder, alert_type, severity, at)])
    return result.opened[0]


def alert_row(elder: Any, alert_type: str, severity: str, opened: datetime = T0, **fields: Any) -> Alert:
    """One alert written straight to the table (no service, no notifications), opened, last seen and
    escalating at `opened`, in the elder's street and district; `fields` sets the rest (status, times)."""
    return Alert.objects.create(
        elder=elder,
        street=elder.street,
        district=elder.district,
        alert_type=alert_type,
        severity=severity,
        opened_at=opened,
        last_seen_at=opened,
        escalation_started_at=opened,
        **fields,
    )


def grant(user: User, *perms: str) -> User:
    grant_permissions(user, *perms)
    if hasattr(user, "_yiyang_scope"):
        del user._yiyang_scope
    return user
