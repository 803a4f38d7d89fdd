"""Applying the engine's alert commands (RaiseAlert / DowngradeAlert / ConditionCleared) in batches."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from yiyang.alerts.choices import SEVERITY_RANK, AlertStatus, EventKind, Severity
from yiyang.alerts.models import Alert, AlertEvent
from yiyang.alerts.policy import PolicyDoc, reescalate_interval, step_due_at, step_recipients
from yiyang.alerts.selectors import escalation_policies_for_districts, policy_from_overrides
from yiyang.alerts.services.notify import notify_after_commit
from yiyang.elders.models import Elder
from yiyang.monitoring.engine.contract import ConditionCleared, DowngradeAlert, RaiseAlert

logger = logging.getLogger(__name__)

AlertCommand = RaiseAlert | DowngradeAlert | ConditionCleared
ALERT_COMMANDS = (RaiseAlert, DowngradeAlert, ConditionCleared)
Key = tuple[int, str]
_UPDATE_FIELDS = [
    "severity", "rule", "last_seen_at", "repeat_count", "last_detail", "condition_cleared_at", "policy",
    "escalation_started_at", "escalation_step", "next_escalation_at", "updated_at",
]  # fmt: skip


@dataclass
class ApplyResult:
    """What a batch did: alerts opened (their step-0 notifications are scheduled after commit),
    open alerts updated, and commands skipped (unknown elder; nothing open to downgrade or clear)."""

    opened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    skipped: list[AlertCommand] = field(default_factory=list)


@dataclass
class _Pending:
    alert: Alert
    is_new: bool
    events: list[tuple[str, datetime, dict[str, Any]]] = field(default_factory=list)
    repeats: int = 0
    notify_step0: bool = False  # opened or upgraded: the (new) policy's first step is due now


def _rank(severity: str) -> int:
    return SEVERITY_RANK[Severity(severity)]


def _start_policy(alert: Alert, policy: PolicyDoc, at: datetime) -> None:
    """Fix `policy` on the alert from `at`: step 0 is taken now, the next step falls due later."""
    alert.policy = policy
    alert.escalation_started_at = at
    alert.escalation_step = 0
    if alert.status == AlertStatus.OPEN:
        alert.next_escalation_at = step_due_at(policy, at, 1)
    else:
        interval = reescalate_interval(policy)
        base = alert.acknowledged_at or at
        alert.next_escalation_at = base + interval if interval else None


def _open_alerts(keys: set[Key]) -> dict[Key, Alert]:
    """The open alerts for these (elder, type) keys, locked on PostgreSQL, in one query."""
    condition = Q()
    for elder_id, alert_type in keys:
        condition |= Q(elder_id=elder_id, alert_type=alert_type)
    rows = Alert.objects.select_for_update().filter(condition, closed_at__isnull=True)
    return {(a.elder_id, a.alert_type): a for a in rows}


def _raise(pending: _Pending, command: RaiseAlert, policy_for: Any) -> None:
    alert = pending.alert
    pending.repeats += 1
    alert.repeat_count += 1
    alert.last_seen_at = max(alert.last_seen_at, command.at)
    alert.last_detail = dict(command.detail)
    alert.rule = command.rule
    if _rank(command.severity) > _rank(alert.severity):
        previous = alert.severity
        alert.severity = command.severity
        _start_policy(alert, policy_for(alert.district_id, command.severity), command.at)
        pending.notify_step0 = True
        pending.events.append(
            (EventKind.UPGRADED, command.at, {"from": previous, "to": command.severity, "rule": command.rule})
        )


def _downgrade(pending: _Pending, command: DowngradeAlert, policy_for: Any) -> None:
    alert = pending.alert
    if _rank(command.severity) >= _rank(alert.severity):
        return
    previous = alert.severity
    alert.severity = command.severity
    policy = policy_for(alert.district_id, command.severity)
    alert.policy = policy
    # Steps of the lower policy whose time has already passed are not sent late: de-escalating.
    elapsed = (command.at - alert.escalation_started_at).total_seconds()
    steps = policy.get("steps", [])
    alert.escalation_step = max((i for i, s in enumerate(steps) if s["after_seconds"] <= elapsed), default=0)
    if alert.status == AlertStatus.OPEN:
        alert.next_escalation_at = step_due_at(policy, alert.escalation_started_at, alert.escalation_step + 1)
    else:
        interval = reescalate_interval(policy)
        alert.next_escalation_at = (alert.acknowledged_at or command.at) + interval if interval else None
    pending.events.append(
        (EventKind.DOWNGRADED, command.at, {"from": previous, "to": command.severity, "reason": command.reason})
    )


def _merge_into_existing(new: _Pending, existing: Alert, policy_for: Any) -> _Pending:
    """A concurrent writer opened the same (elder, type) first: fold our batch into its alert."""
    merged = _Pending(alert=existing, is_new=False)
    merged.repeats = 1 + new.repeats
    existing.repeat_count += merged.repeats
    existing.last_seen_at = max(existing.last_seen_at, new.alert.last_seen_at)
    existing.last_detail = new.alert.last_detail
    existing.rule = new.alert.rule
    if _rank(new.alert.severity) > _rank(existing.severity):
        previous = existing.severity
        existing.severity = new.alert.severity
        _start_policy(existing, policy_for(existing.district_id, new.alert.severity), new.alert.opened_at)
        merged.notify_step0 = True
        merged.events.append((EventKind.UPGRADED, new.alert.opened_at, {"from": previous, "to": existing.severity}))
    if new.alert.condition_cleared_at:
        existing.condition_cleared_at = new.alert.condition_cleared_at
    merged.events.extend(e for e in new.events if e[0] != EventKind.OPENED)
    return merged


def _insert(new: list[_Pending], policy_for: Any) -> list[_Pending]:
    """Insert the new alerts in one statement; if a concurrent writer opened one of them first (the
    partial unique constraint refuses it), insert one by one and update the existing alert instead."""
    if not new:
        return []
    try:
        with transaction.atomic():
            Alert.objects.bulk_create([p.alert for p in new])
        return new
    except IntegrityError:
        pass
    result: list[_Pending] = []
    for pending in new:
        pending.alert.pk = None
        pending.alert._state.adding = True
        try:
            with transaction.atomic():
                pending.alert.save(force_insert=True)
            result.append(pending)
        except IntegrityError:
            existing = _open_alerts({(pending.alert.elder_id, pending.alert.alert_type)})
            alert = next(iter(existing.values()))
            logger.info("alert %s/%s opened concurrently; updating it", alert.elder_id, alert.alert_type)
            merged = _merge_into_existing(pending, alert, policy_for)
            alert.save(update_fields=_UPDATE_FIELDS)
            result.append(merged)
    return result


def alerts_apply(commands: Iterable[Any]) -> ApplyResult:
    """Apply a batch of engine commands in one transaction with a handful of queries.

    RaiseAlert opens the (elder, alert type) alert or updates the open one (repeat count, last
    detail, rule; severity only ever goes up here). DowngradeAlert lowers an open alert's severity
    and switches it to that severity's policy; ConditionCleared stamps the clearing time (staff
    still close the alert). Other command types are ignored (the writer routes them elsewhere).

    The partial unique constraint guarantees one open alert per (elder, type) even when two writers
    race: the loser's insert is refused and becomes an update. Each opened or upgraded alert copies
    its district's policy for its severity, and step 0 of that policy is sent only after the
    transaction commits (`transaction.on_commit`), so no one is notified of an uncommitted alert.
    """
    batch: list[AlertCommand] = [c for c in commands if isinstance(c, ALERT_COMMANDS)]
    result = ApplyResult()
    if not batch:
        return result
    with transaction.atomic():
        keys = {(c.elder_id, c.alert_type) for c in batch}
        existing = _open_alerts(keys)
        raised_elders = {c.elder_id for c in batch if isinstance(c, RaiseAlert)}
        elders = {
            pk: (street, district)
            for pk, street, district in Elder.objects.filter(pk__in=raised_elders).values_list(
                "pk", "street_id", "district_id"
            )
        }
        districts = {d for _s, d in elders.values()} | {a.district_id for a in existing.values()}
        overrides = escalation_policies_for_districts(districts)

        def policy_for(district_id: int, severity: str) -> PolicyDoc:
            return policy_from_overrides(overrides, district_id, severity)

        pending: dict[Key, _Pending] = {key: _Pending(alert=a, is_new=False) for key, a in existing.items()}
        for command in batch:
            key = (command.elder_id, command.alert_type)
            entry = pending.get(key)
            if isinstance(command, RaiseAlert):
                if entry is None:
                    if command.elder_id not in elders:
                        logger.warning("RaiseAlert for unknown elder %s skipped", command.elder_id)
                        result.skipped.append(command)
                        continue
                    street_id, district_id = elders[command.elder_id]
                    alert = Alert(
                        elder_id=command.elder_id, street_id=street_id, district_id=district_id,
                        alert_type=command.alert_type, severity=command.severity, rule=command.rule,
                        opened_at=command.at, last_seen_at=command.at, last_detail=dict(command.detail),
                        escalation_started_at=command.at,
                    )  # fmt: skip
                    _start_policy(alert, policy_for(district_id, command.severity), command.at)
                    entry = pending[key] = _Pending(alert=alert, is_new=True, notify_step0=True)
                    entry.events.append(
                        (
                            EventKind.OPENED,
                            command.at,
                            {"rule": command.rule, "severity": command.severity, "detail": dict(command.detail)},
                        )
                    )
                else:
                    _raise(entry, command, policy_for)
            elif entry is None:
                result.skipped.append(command)
            elif isinstance(command, DowngradeAlert):
                _downgrade(entry, command, policy_for)
            else:
                entry.alert.condition_cleared_at = command.at
                entry.events.append((EventKind.CONDITION_CLEARED, command.at, {}))

        inserted = _insert([p for p in pending.values() if p.is_new], policy_for)
        changed = [p for p in pending.values() if not p.is_new and (p.events or p.repeats)]
        if changed:
            Alert.objects.bulk_update([p.alert for p in changed], _UPDATE_FIELDS)
        touched = [*inserted, *changed]
        events: list[AlertEvent] = []
        for p in touched:
            if p.repeats:
                events.append(
                    AlertEvent(
                        alert=p.alert,
                        kind=EventKind.REPEATED,
                        at=p.alert.last_seen_at,
                        detail={
                            "repeats": p.repeats,
                            "repeat_count": p.alert.repeat_count,
                            "rule": p.alert.rule,
                            "detail": p.alert.last_detail,
                        },
                    )
                )
            events.extend(AlertEvent(alert=p.alert, kind=kind, at=at, detail=detail) for kind, at, detail in p.events)
        events.sort(key=lambda e: e.at)
        AlertEvent.objects.bulk_create(events)
        for p in touched:
            if p.notify_step0:
                notify_after_commit(p.alert.pk, f"{p.alert.severity}:s0", step_recipients(p.alert.policy, 0))
            (result.opened if p.is_new else result.updated).append(p.alert)
    return result
