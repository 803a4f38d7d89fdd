"""Default SMS and voice back-ends: they log the message (with the number masked) and succeed.

A real gateway is a subclass of `Channel` named in `settings.ALERT_CHANNELS`."""

import logging
import uuid

from yiyang.alerts.channels.base import Channel, DeliveryResult, Notification
from yiyang.core.masking import mask_phone

logger = logging.getLogger(__name__)


class LoggingSmsChannel(Channel):
    name = "sms"

    def send(self, notification: Notification) -> DeliveryResult:
        if not notification.address:
            return DeliveryResult(ok=False, error="no phone number")
        logger.info(
            "sms to=%s alert=%s: %s",
            mask_phone(notification.address),
            notification.alert_public_id,
            notification.message,
        )
        return DeliveryResult(ok=True, provider_ref=f"log-sms-{uuid.uuid4().hex[:12]}")


class LoggingVoiceChannel(Channel):
    name = "voice"

    def send(self, notification: Notification) -> DeliveryResult:
        if not notification.address:
            return DeliveryResult(ok=False, error="no phone number")
        logger.info(
            "voice call to=%s alert=%s: %s",
            mask_phone(notification.address),
            notification.alert_public_id,
            notification.message,
        )
        return DeliveryResult(ok=True, provider_ref=f"log-voice-{uuid.uuid4().hex[:12]}")
