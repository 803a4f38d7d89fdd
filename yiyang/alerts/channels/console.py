import logging

from yiyang.alerts.channels.base import Channel, DeliveryResult, Notification

logger = logging.getLogger(__name__)


class ConsoleChannel(Channel):
    """The live web console. The alert row itself is what the console shows, and the console's
    event stream picks up every committed alert event within a second, so sending only records
    that the console was the destination."""

    name = "console"

    def send(self, notification: Notification) -> DeliveryResult:
        logger.info(
            "console alert=%s stage=%s to=%s",
            notification.alert_public_id,
            notification.stage,
            notification.recipient_ref,
        )
        return DeliveryResult(ok=True, provider_ref=f"console:{notification.recipient_ref}")
