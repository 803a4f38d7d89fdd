"""Notification channels behind one interface, chosen by `settings.ALERT_CHANNELS`
(channel name → dotted path of a `Channel` subclass)."""

from django.conf import settings
from django.utils.module_loading import import_string

from yiyang.alerts.channels.base import Channel, DeliveryResult, Notification

DEFAULT_CHANNELS = {
    "console": "yiyang.alerts.channels.console.ConsoleChannel",
    "sms": "yiyang.alerts.channels.logging.LoggingSmsChannel",
    "voice": "yiyang.alerts.channels.logging.LoggingVoiceChannel",
}


def channel_get(name: str) -> Channel:
    """A channel instance for `name`, from the settings (read at call time, never at import)."""
    configured: dict[str, str] = getattr(settings, "ALERT_CHANNELS", None) or DEFAULT_CHANNELS
    path = configured.get(name) or DEFAULT_CHANNELS[name]
    channel: Channel = import_string(path)()
    return channel


__all__ = ["DEFAULT_CHANNELS", "Channel", "DeliveryResult", "Notification", "channel_get"]
