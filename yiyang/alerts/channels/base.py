"""The one interface every notification back-end implements."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notification:
    """What to tell whom about which alert. `address` is a phone number or a console id."""

    alert_id: int
    alert_public_id: str
    stage: str
    recipient_kind: str
    recipient_ref: str
    address: str
    message: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    provider_ref: str = ""
    error: str = ""


class Channel:
    """A notification back-end. `send` must not raise for delivery problems: it answers a failed
    DeliveryResult instead, so one broken gateway never stops the other recipients."""

    name: str = ""

    def send(self, notification: Notification) -> DeliveryResult:  # pragma: no cover - interface
        raise NotImplementedError
