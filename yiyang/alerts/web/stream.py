"""Server-Sent Events for the live console.

A plain streaming response that asks "which alert events in reach came after my cursor?" every
POLL_SECONDS and closes after LIFETIME_SECONDS (the browser's EventSource reconnects at once,
sending Last-Event-ID, so nothing is missed). It works under runserver, WSGI threads and the test
client. In production run it under an ASGI or gevent worker so an idle stream does not hold a
thread, or replace the poll by PostgreSQL LISTEN/NOTIFY; see docs/alerts.md.
"""

import json
import time
from collections.abc import Iterator
from typing import Any

from yiyang.accounts.access import AnyUser
from yiyang.alerts.models import AlertEvent
from yiyang.alerts.selectors import alert_events_since
from yiyang.core.masking import mask_name

POLL_SECONDS = 0.5
LIFETIME_SECONDS = 55.0
KEEPALIVE_SECONDS = 15.0


def event_message(event: AlertEvent) -> str:
    alert = event.alert
    data: dict[str, Any] = {
        "event_id": event.pk,
        "kind": event.kind,
        "alert": {
            "id": str(alert.public_id),
            "alert_type": alert.alert_type,
            "severity": alert.severity,
            "status": alert.status,
            "elder": mask_name(alert.elder.name),
            "opened_at": alert.opened_at.isoformat(),
        },
    }
    return f"id: {event.pk}\nevent: alert\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def alert_stream(*, user: AnyUser, cursor: int) -> Iterator[str]:
    """Yield SSE messages for alert events in the user's reach after `cursor`, until the lifetime ends."""
    yield f'retry: 1000\nid: {cursor}\nevent: hello\ndata: {{"cursor": {cursor}}}\n\n'
    started = last_sent = time.monotonic()
    while time.monotonic() - started < LIFETIME_SECONDS:
        events = alert_events_since(user=user, cursor=cursor)
        for event in events:
            cursor = event.pk
            yield event_message(event)
        now = time.monotonic()
        if events:
            last_sent = now
        elif now - last_sent >= KEEPALIVE_SECONDS:
            last_sent = now
            yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)
