"""The escalation sweep: called every second, it takes the steps that have fallen due."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from yiyang.alerts.choices import AlertStatus, EventKind
from yiyang.alerts.models import Alert, AlertEvent
from yiyang.alerts.policy import reescalate_interval, step_due_at, step_recipients
from yiyang.alerts.services.notify import notify_after_commit

logger = logging.getLogger(__name__)
SWEEP_LIMIT = 500


@dataclass
class SweepResult:
    """(alert id, stage, recipients) for each step taken, in order."""

    steps: list[tuple[int, str, list[str]]] = field(default_factory=list)


def escalation_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> SweepResult:
    """Take every escalation step due at `now` (default: the current time).

    Finds alerts whose `next_escalation_at` ≤ now (indexed; rows locked and skipped when another
    sweeper holds them on PostgreSQL). An unacknowledged alert advances through every step of its
    snapshotted policy that has fallen due, so a sweeper that was down catches up without missing
    a step; an acknowledged but unresolved alert re-escalates every `reescalate_after_seconds`
    when its policy says so. Each step appends an `escalated` event and notifies the step's
    recipients after commit. Closed alerts are never escalated.
    """
    now = now or timezone.now()
    result = SweepResult()
    with transaction.atomic():
        due = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(next_escalation_at__lte=now, closed_at__isnull=True)
            .order_by("next_escalation_at")[:limit]
        )
        events: list[AlertEvent] = []
        for alert in due:
            deadline = alert.next_escalation_at
            assert deadline is not None
            late_ms = round((now - deadline).total_seconds() * 1000)
            if alert.status == AlertStatus.OPEN:
                while True:
                    step = alert.escalation_step + 1
                    step_at = step_due_at(alert.policy, alert.escalation_started_at, step)
                    if step_at is None or step_at > now:
                        break
                    alert.escalation_step = step
                    stage = f"{alert.severity}:s{step}"
                    recipients = step_recipients(alert.policy, step)
                    result.steps.append((alert.pk, stage, recipients))
                    events.append(AlertEvent(alert=alert, kind=EventKind.ESCALATED, at=now, detail={
                        "step": step, "stage": stage, "recipients": recipients, "due_at": step_at.isoformat(),
                        "late_ms": round((now - step_at).total_seconds() * 1000),
                    }))  # fmt: skip
                alert.next_escalation_at = step_due_at(
                    alert.policy, alert.escalation_started_at, alert.escalation_step + 1
                )
            else:
                interval = reescalate_interval(alert.policy)
                if interval is None:
                    alert.next_escalation_at = None
                else:
                    alert.reescalation_count += 1
                    stage = f"{alert.severity}:re{alert.reescalation_count}"
                    recipients = list(alert.policy.get("reescalate_notify", []))
                    result.steps.append((alert.pk, stage, recipients))
                    events.append(AlertEvent(alert=alert, kind=EventKind.ESCALATED, at=now, detail={
                        "reason": "acknowledged_not_resolved", "stage": stage, "recipients": recipients,
                        "due_at": deadline.isoformat(), "late_ms": late_ms,
                    }))  # fmt: skip
                    following = deadline + interval
                    while following <= now:
                        following += interval
                    alert.next_escalation_at = following
            alert.save(update_fields=["escalation_step", "reescalation_count", "next_escalation_at", "updated_at"])
        AlertEvent.objects.bulk_create(events)
        for alert_id, stage, recipients in result.steps:
            notify_after_commit(alert_id, stage, recipients)
    return result
