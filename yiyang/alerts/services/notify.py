"""Turning a policy step into deliveries. Runs only after the alert's transaction commits
(`notify_after_commit`), so nobody is ever told about an alert that was rolled back."""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiyang.accounts.access import user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.alerts.channels import Notification, channel_get
from yiyang.alerts.choices import DeliveryStatus, EventKind, Recipient, Severity
from yiyang.alerts.models import Alert, AlertEvent, Delivery
from yiyang.core.masking import mask_name, mask_phone
from yiyang.elders.models import EmergencyContact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    channel: str
    recipient_kind: str
    recipient_ref: str
    address: str


def _helpers(alert: Alert) -> list[Target]:
    users = User.objects.filter(
        is_active=True, helper_assignments__elder_id=alert.elder_id, helper_assignments__until__isnull=True
    ).order_by("pk")
    return [Target("sms", Recipient.HELPER, f"user:{u.pk}", u.phone) for u in users]


def _family(alert: Alert) -> list[Target]:
    contact = EmergencyContact.objects.filter(elder_id=alert.elder_id).order_by("priority", "id").first()
    if contact is not None:
        ref = f"contact:{contact.pk}"
        return [
            Target("voice", Recipient.FAMILY, ref, contact.phone),
            Target("sms", Recipient.FAMILY, ref, contact.phone),
        ]
    linked = User.objects.filter(is_active=True, family_links__elder_id=alert.elder_id).order_by("pk").first()
    if linked is not None:
        return [Target("sms", Recipient.FAMILY, f"user:{linked.pk}", linked.phone)]
    return []


def _supervisors(alert: Alert) -> list[Target]:
    """Accounts holding `alerts.supervise` at the nearest level that has any: the elder's
    community, else the street, else the district."""
    elder = alert.elder
    levels = [elder.community_id, elder.street_id, elder.district_id]
    candidates = [
        u
        for u in User.objects.filter(is_active=True, area_id__in=levels).order_by("pk")
        if str(Perm.ALERTS_SUPERVISE) in user_perms(u)
    ]
    for area_id in levels:
        nearest = [u for u in candidates if u.area_id == area_id]
        if nearest:
            return [Target("sms", Recipient.SUPERVISOR, f"user:{u.pk}", u.phone) for u in nearest]
    return []


def recipients_for(alert: Alert, recipient: str) -> list[Target]:
    """The people and consoles a policy recipient stands for, for this alert."""
    if recipient == Recipient.CONSOLE:
        return [Target("console", recipient, f"area:{alert.elder.community_id}", "")]
    if recipient == Recipient.WORKLIST:
        return [Target("console", recipient, f"worklist:{alert.elder.community_id}", "")]
    if recipient in (Recipient.WATCH_CALL, Recipient.ELDER_CALL):
        return [Target("voice", recipient, "elder", alert.elder.phone)]
    if recipient == Recipient.HELPER:
        return _helpers(alert)
    if recipient == Recipient.FAMILY:
        return _family(alert)
    if recipient == Recipient.SUPERVISOR:
        return _supervisors(alert)
    if recipient == Recipient.EMERGENCY_120:
        return [Target("voice", recipient, "120", "120"), Target("console", recipient, f"area:{alert.street_id}", "")]
    return []


def _message(alert: Alert, recipient: str) -> tuple[str, dict[str, Any]]:
    severity = Severity(alert.severity).label
    text = f"【医养】{severity}告警：{alert.alert_type}（{mask_name(alert.elder.name)}），请登录平台处理"
    if recipient != Recipient.EMERGENCY_120:
        return text, {}
    from yiyang.alerts.services.handoff import handoff_sheet, handoff_sheet_text

    sheet = handoff_sheet(alert)
    return handoff_sheet_text(sheet), {"handoff_sheet": sheet}


def alert_notify(*, alert_id: int, stage: str, recipients: list[str]) -> list[Delivery]:
    """Send one stage's notifications for an alert and record each delivery.

    Idempotent: a (stage, channel, recipient) already delivered is not sent again, so a retried job
    is harmless. A recipient that resolves to nobody is recorded as `skipped`, never silently lost.
    Channel failures are recorded, not raised. Appends one `notified` event.
    """
    alert = Alert.objects.select_related("elder").get(pk=alert_id)
    now = timezone.now()
    done = set(Delivery.objects.filter(alert=alert, stage=stage).values_list("channel", "recipient_ref"))
    deliveries: list[Delivery] = []
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for recipient in recipients:
        targets = recipients_for(alert, recipient)
        if not targets:
            deliveries.append(
                Delivery(
                    alert=alert,
                    stage=stage,
                    recipient_kind=recipient,
                    recipient_ref=f"none:{recipient}",
                    channel="-",
                    status=DeliveryStatus.SKIPPED,
                    error="no recipient registered",
                    at=now,
                )
            )
            counts["skipped"] += 1
            continue
        message, payload = _message(alert, recipient)
        for target in targets:
            if (target.channel, target.recipient_ref) in done:
                continue
            done.add((target.channel, target.recipient_ref))
            notification = Notification(
                alert_id=alert.pk,
                alert_public_id=str(alert.public_id),
                stage=stage,
                recipient_kind=target.recipient_kind,
                recipient_ref=target.recipient_ref,
                address=target.address,
                message=message,
                payload=payload,
            )
            try:
                result = channel_get(target.channel).send(notification)
            except Exception as exc:  # a broken gateway must not stop the other recipients
                logger.exception("alert channel %s failed", target.channel)
                result_ok, provider_ref, error = False, "", str(exc)[:300]
            else:
                result_ok, provider_ref, error = result.ok, result.provider_ref, result.error
            status = DeliveryStatus.SENT if result_ok else DeliveryStatus.FAILED
            counts["sent" if result_ok else "failed"] += 1
            deliveries.append(
                Delivery(
                    alert=alert,
                    stage=stage,
                    recipient_kind=target.recipient_kind,
                    recipient_ref=target.recipient_ref,
                    address_masked=mask_phone(target.address) if target.address not in ("", "120") else target.address,
                    channel=target.channel,
                    status=status,
                    provider_ref=provider_ref,
                    error=error,
                    at=now,
                )
            )
    try:
        with transaction.atomic():
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            AlertEvent.objects.create(
                alert=alert,
                kind=EventKind.NOTIFIED,
                at=now,
                detail={"stage": stage, "recipients": recipients, **counts},
            )
    except IntegrityError:  # pragma: no cover - a concurrent twin recorded them first
        logger.warning("deliveries for alert %s stage %s already recorded", alert.pk, stage)
    return deliveries


def notify_after_commit(alert_id: int, stage: str, recipients: list[str]) -> None:
    """Schedule `alert_notify` for when the current transaction commits (at once outside one)."""
    if not recipients:
        return

    def run() -> None:
        try:
            alert_notify(alert_id=alert_id, stage=stage, recipients=recipients)
        except Exception:  # the alert is committed; a failed notification is logged and retried by escalation
            logger.exception("notifying alert %s stage %s failed", alert_id, stage)

    transaction.on_commit(run)
