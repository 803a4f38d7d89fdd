"""Server-Sent Events for the live console.

A plain streaming response that asks "which alert events in reach came after my cursor?" every
POLL_SECONDS and closes after LIFETIME_SECONDS (the browser's EventSource reconnects at once,
sending Last-Event-ID, so nothing is missed). It works under runserver, WSGI threads and the test
client. In production run it under an ASGI or gevent worker so an idle stream does not hold a
thread, or replace the poll by PostgreSQL LISTEN/NOTIFY; see docs/alerts.md.

A stream serves one view of the console: `alert` messages only for alerts of its category (health &
safety or technical) and street; after every poll that saw any change in reach, one `counts` message
with the open counts per view (for the tabs) and whether a new or upgraded emergency happened in the
other view (so that someone watching technical alerts still hears a fall).
"""

import json
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from yiyang.accounts.access import AnyUser
from yiyang.accounts.disclosure import NOTHING, Disclosure, disclosure_for
from yiyang.alerts.choices import AlertCategory, EventKind, Severity, category_of
from yiyang.alerts.models import Alert, AlertEvent
from yiyang.alerts.selectors import alert_events_since, alert_open_counts

POLL_SECONDS = 0.5
LIFETIME_SECONDS = 55.0
KEEPALIVE_SECONDS = 15.0


def event_message(event: AlertEvent, disclosure: Disclosure = NOTHING) -> str:
    """One `alert` message; the elder's name as `disclosure` (the viewer's policy) shows it."""
    alert = event.alert
    data: dict[str, Any] = {
        "event_id": event.pk,
        "kind": event.kind,
        "alert": {
            "id": str(alert.public_id),
            "alert_type": alert.alert_type,
            "severity": alert.severity,
            "category": category_of(alert.severity).value,
            "status": alert.status,
            "elder": disclosure.name(alert.elder.name),
            "opened_at": alert.opened_at.isoformat(),
        },
    }
    return f"id: {event.pk}\nevent: alert\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def counts_message(*, cursor: int, counts: dict[str, int], emergency: bool) -> str:
    data = {**counts, "emergency": emergency}
    return f"id: {cursor}\nevent: counts\ndata: {json.dumps(data)}\n\n"


def _in_street(alert: Alert, street: UUID | None) -> bool:
    return street is None or alert.street.public_id == street


def _is_new_emergency(event: AlertEvent) -> bool:
    return event.kind in (EventKind.OPENED, EventKind.UPGRADED) and event.alert.severity == Severity.EMERGENCY


def alert_stream(
    *, user: AnyUser, cursor: int, category: str = AlertCategory.HEALTH, street: UUID | None = None
) -> Iterator[str]:
    """Yield SSE messages for alert events in the user's reach after `cursor`, until the lifetime ends:
    an `alert` message for each event of an alert in the view (`category`, and `street` when given),
    then one `counts` message per poll that saw any event in reach."""
    yield f'retry: 1000\nid: {cursor}\nevent: hello\ndata: {{"cursor": {cursor}}}\n\n'
    disclosure = disclosure_for(user)
    started = last_sent = time.monotonic()
    while time.monotonic() - started < LIFETIME_SECONDS:
        events = alert_events_since(user=user, cursor=cursor)
        emergency_elsewhere = False
        for event in events:
            cursor = event.pk
            if not _in_street(event.alert, street):
                continue
            if category_of(event.alert.severity) == category:
                yield event_message(event, disclosure)
            elif _is_new_emergency(event):
                emergency_elsewhere = True
        if events:
            counts = alert_open_counts(user=user, street=street)
            yield counts_message(cursor=cursor, counts=counts, emergency=emergency_elsewhere)
        now = time.monotonic()
        if events:
            last_sent = now
        elif now - last_sent >= KEEPALIVE_SECONDS:
            last_sent = now
            yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)
