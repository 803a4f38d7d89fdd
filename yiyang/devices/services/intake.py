"""The HTTP push intake (vendor clouds) and the reading-store maintenance."""

import hmac
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from yiyang.core.limits import JsonTooDeep, loads_json
from yiyang.devices.adapters.parsing import MAX_PAYLOAD, PUSH_VENDORS, Malformed, parse_http_push
from yiyang.devices.choices import DeviceKind, DeviceProtocol
from yiyang.devices.intake_log import AppendResult, IntakeLog
from yiyang.devices.intake_log import Message as IntakeMessage
from yiyang.devices.models import DeviceReading

_INTAKE: IntakeLog | None = None
DEV_SECRET = "demo-push-secret"  # noqa: S105 -- used only with DEBUG and nothing configured
PUSH_KINDS = {"radar": DeviceKind.FALL_RADAR, "mattress": DeviceKind.MATTRESS}


def intake_log() -> IntakeLog:
    global _INTAKE
    if _INTAKE is None:
        _INTAKE = IntakeLog()
    return _INTAKE


def push_secrets() -> dict[str, str]:
    """Per-vendor shared secrets: settings.DEVICE_PUSH_SECRETS, else the environment variable
    YIYANG_DEVICE_PUSH_SECRETS ("radar=s1,mattress=s2"); with DEBUG and neither, DEV_SECRET."""
    configured = getattr(settings, "DEVICE_PUSH_SECRETS", None)
    if configured:
        return dict(configured)
    env = os.environ.get("YIYANG_DEVICE_PUSH_SECRETS", "")
    if env:
        return dict(part.split("=", 1) for part in env.split(",") if "=" in part)
    return dict.fromkeys(PUSH_VENDORS, DEV_SECRET) if settings.DEBUG else {}


def push_secret_ok(vendor: str, given: str) -> bool:
    expected = push_secrets().get(vendor, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


@dataclass
class PushOutcome:
    accepted: bool
    reason: str = ""
    result: AppendResult | None = None


def push_ingest(*, vendor: str, body: bytes, source: str = "") -> PushOutcome:
    """Parse a push and append it durably; a malformed body becomes a dead letter with the reason."""
    log = intake_log()
    try:
        if len(body) > MAX_PAYLOAD:
            raise Malformed("body: too large")
        try:
            data = loads_json(body)  # never a RecursionError, however deep the nesting
        except JsonTooDeep as exc:
            raise Malformed(f"body: JSON nested deeper than {exc.depth}") from None
        except (ValueError, UnicodeDecodeError):
            raise Malformed("body: not JSON") from None
        readings = parse_http_push(vendor, data)
    except Malformed as exc:
        log.dead_letter(adapter=f"http_{vendor}"[:32], source=source, payload=body, reason=exc.reason)
        return PushOutcome(False, exc.reason)
    message = IntakeMessage(
        DeviceProtocol.HTTP_RADAR, f"http_{vendor}", readings, body.decode("utf-8", "replace"), timezone.now(),
        vendor=vendor, kind_hint=PUSH_KINDS.get(vendor, ""),
    )  # fmt: skip
    return PushOutcome(True, result=log.append(message))


# ------------------------------------------------------------------------------ reading storage
def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(moment: datetime) -> datetime:
    return _month_start(moment.replace(day=28) + timedelta(days=5))


def readings_partitions_ensure(*, months_ahead: int = 3, now: datetime | None = None) -> list[str]:
    """PostgreSQL: create the monthly partitions of the reading table from this month to
    `months_ahead` ahead (idempotent). Elsewhere nothing to do."""
    if connection.vendor != "postgresql":
        return []
    table = DeviceReading._meta.db_table
    start = _month_start((now or timezone.now()).astimezone(UTC))
    made = []
    with connection.cursor() as cursor:
        for _ in range(months_ahead + 1):
            end = _next_month(start)
            name = f"{table}_{start:%Y%m}"
            cursor.execute(
                f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
                [start, end],
            )
            made.append(name)
            start = end
    return made


def readings_retention_apply(*, days: int, now: datetime | None = None) -> int:
    """Delete readings older than `days` (device time). On PostgreSQL whole monthly partitions
    older than the window are dropped first, then the rest is deleted row by row."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    dropped = 0
    if connection.vendor == "postgresql":
        table = DeviceReading._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
                [table],
            )
            for (name,) in cursor.fetchall():
                suffix = name.removeprefix(f"{table}_")
                if suffix.isdigit() and len(suffix) == 6:
                    month = datetime(int(suffix[:4]), int(suffix[4:]), 1, tzinfo=UTC)
                    if _next_month(month) <= cutoff:
                        cursor.execute(f'DROP TABLE "{name}"')
                        dropped += 1
    deleted, _ = DeviceReading.objects.filter(device_ts__lt=cutoff).delete()
    return deleted + dropped
