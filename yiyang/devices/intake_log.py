"""The durable intake log: resolve parsed readings to canonical ones and append them in batches.

Adapters call `IntakeLog.append_batch` with many messages at once; it does a handful of queries per
batch whatever its size (one bulk INSERT … ON CONFLICT DO NOTHING on the idempotency key, counters,
pending devices) and returns once the rows are committed, so the adapter may then acknowledge the
device. A redelivered message makes the same keys and inserts nothing.
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from yiyang.devices.adapters.parsing import NUMERIC_CODES, ParsedReading
from yiyang.devices.choices import DeviceState, PendingState
from yiyang.devices.models import (
    DeadLetter,
    Device,
    DeviceBinding,
    DeviceReading,
    IntakeCounter,
    PendingDevice,
)
from yiyang.monitoring.engine import contract as c

REFRESH_EVERY_S = 1.0


@dataclass(frozen=True, slots=True)
class Target:
    device_id: int
    elder_id: int | None  # None: registered but not bound (or retired)


class BindingMap:
    """(protocol, identifier) → device and bound elder, held in memory, reloaded when the registry
    changes (checked at most once a second with one cheap aggregate query)."""

    def __init__(self) -> None:
        self._map: dict[tuple[str, str], Target] = {}
        self._fingerprint: object = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def refresh(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._checked < REFRESH_EVERY_S:
            return
        with self._lock:
            self._checked = time.monotonic()
            fingerprint = (
                Device.objects.aggregate(n=Count("id"), at=Max("updated_at")),
                DeviceBinding.objects.aggregate(n=Count("id"), at=Max("updated_at")),
            )
            if fingerprint == self._fingerprint and not force:
                return
            bound = dict(DeviceBinding.objects.filter(until__isnull=True).values_list("device_id", "elder_id"))
            self._map = {
                (protocol, identifier): Target(pk, bound.get(pk) if state == DeviceState.ACTIVE else None)
                for pk, protocol, identifier, state in Device.objects.values_list(
                    "pk", "protocol", "identifier", "state"
                )
            }
            self._fingerprint = fingerprint

    def lookup(self, protocol: str, identifier: str) -> Target | None:
        self.refresh()
        return self._map.get((protocol, identifier))


def reading_key(protocol: str, parsed: ParsedReading, device_ts: datetime) -> str:
    """The idempotency key: the device's message id when it sends one, else its timestamp."""
    moment = parsed.message_id or device_ts.isoformat()
    return f"{protocol}:{parsed.identifier}:{moment}:{parsed.code}"[:160]


def to_reading(protocol: str, parsed: ParsedReading, target: Target, received_ts: datetime) -> c.Reading:
    assert target.elder_id is not None
    device_ts = parsed.device_ts or received_ts
    return c.Reading(
        key=reading_key(protocol, parsed, device_ts),
        device_id=target.device_id,
        elder_id=target.elder_id,
        kind=parsed.kind,
        code=parsed.code,
        value=parsed.value,
        unit=parsed.unit,
        device_ts=device_ts,
        received_ts=received_ts,
        quality=parsed.quality,
    )


def reading_row(reading: c.Reading) -> DeviceReading:
    value = reading.value
    numeric = reading.code in NUMERIC_CODES and isinstance(value, int | float)
    text = "" if value is None or numeric else ("true" if value is True else "false" if value is False else str(value))
    q = reading.quality
    return DeviceReading(
        key=reading.key,
        device_id=reading.device_id,
        elder_id=reading.elder_id,
        kind=reading.kind,
        code=reading.code,
        value_num=float(value) if numeric else None,
        value_text=text[:64],
        unit=reading.unit,
        device_ts=reading.device_ts,
        received_ts=reading.received_ts,
        valid=q.valid,
        invalid_reason=q.reason,
        signal=q.signal,
        worn=q.worn,
    )


def row_reading(row: DeviceReading) -> c.Reading:
    """The canonical reading back from its stored row (what the runner feeds the engine)."""
    value: object
    if row.value_num is not None:
        value = int(row.value_num) if row.value_num.is_integer() else row.value_num
    elif row.code == c.WORN:
        value = row.value_text == "true"
    else:
        value = row.value_text or None
    return c.Reading(
        key=row.key,
        device_id=row.device_id,
        elder_id=row.elder_id,
        kind=row.kind,  # type: ignore[arg-type]
        code=row.code,
        value=value,
        unit=row.unit,
        device_ts=row.device_ts,
        received_ts=row.received_ts,
        quality=c.Quality(valid=row.valid, signal=row.signal, worn=row.worn, reason=row.invalid_reason),
    )


@dataclass(slots=True)
class Message:
    """One device message, parsed: what an adapter hands to the log."""

    protocol: str
    adapter: str
    readings: list[ParsedReading]
    raw: str = ""
    received_ts: datetime = field(default_factory=timezone.now)
    vendor: str = ""
    kind_hint: str = ""


@dataclass(slots=True)
class AppendResult:
    stored: int = 0  # readings offered for insert (duplicates are silently skipped)
    pending: int = 0  # readings held back because their device is unknown or unbound


def _bump(adapter: str, outcome: str, n: int) -> None:
    if not n:
        return
    if not IntakeCounter.objects.filter(adapter=adapter, outcome=outcome).update(count=F("count") + n):
        try:
            with transaction.atomic():
                IntakeCounter.objects.create(adapter=adapter, outcome=outcome, count=n)
        except IntegrityError:
            IntakeCounter.objects.filter(adapter=adapter, outcome=outcome).update(count=F("count") + n)


def _hold_pending(key: tuple[str, str], messages: list[Message], readings: int, reason: str) -> None:
    protocol, identifier = key
    last = messages[-1]
    updates = {
        "last_seen_at": last.received_ts,
        "message_count": F("message_count") + len(messages),
        "reading_count": F("reading_count") + readings,
        "last_payload": last.raw[:4000],
        "reason": reason,
    }
    if PendingDevice.objects.filter(protocol=protocol, identifier=identifier).update(**updates):
        return
    try:
        with transaction.atomic():
            PendingDevice.objects.create(
                protocol=protocol,
                identifier=identifier,
                vendor=last.vendor,
                kind_hint=last.kind_hint,
                first_seen_at=messages[0].received_ts,
                last_seen_at=last.received_ts,
                message_count=len(messages),
                reading_count=readings,
                last_payload=last.raw[:4000],
                state=PendingState.PENDING,
                reason=reason,
            )
    except IntegrityError:
        PendingDevice.objects.filter(protocol=protocol, identifier=identifier).update(**updates)


class IntakeLog:
    """Appends parsed messages. Thread-safe; one instance per process is enough."""

    def __init__(self, bindings: BindingMap | None = None) -> None:
        self.bindings = bindings or BindingMap()

    def append(self, message: Message) -> AppendResult:
        return self.append_batch([message])

    def append_batch(self, messages: list[Message]) -> AppendResult:
        result = AppendResult()
        rows: list[DeviceReading] = []
        held: dict[tuple[str, str], list[Message]] = defaultdict(list)
        held_readings: dict[tuple[str, str], int] = defaultdict(int)
        held_reason: dict[tuple[str, str], str] = {}
        per_adapter: dict[str, int] = defaultdict(int)
        for message in messages:
            per_adapter[message.adapter] += 1
            by_identifier: dict[str, list[ParsedReading]] = defaultdict(list)
            for parsed in message.readings:
                by_identifier[parsed.identifier].append(parsed)
            for identifier, parsed_list in by_identifier.items():
                target = self.bindings.lookup(message.protocol, identifier)
                if target is None or target.elder_id is None:
                    key = (message.protocol, identifier)
                    held[key].append(message)
                    held_readings[key] += len(parsed_list)
                    held_reason[key] = "unknown_device" if target is None else "not_bound"
                    continue
                rows += [reading_row(to_reading(message.protocol, p, target, message.received_ts)) for p in parsed_list]
        with transaction.atomic():
            if rows:
                DeviceReading.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
            for key, held_messages in held.items():
                _hold_pending(key, held_messages, held_readings[key], held_reason[key])
            for adapter, n in per_adapter.items():
                _bump(adapter, "messages", n)
            _bump("all", "readings", len(rows))
            _bump("all", "pending_readings", sum(held_readings.values()))
        result.stored = len(rows)
        result.pending = sum(held_readings.values())
        return result

    def dead_letter(self, *, adapter: str, source: str, payload: str | bytes, reason: str) -> DeadLetter:
        """Keep a message that could not be parsed, with why; counted per adapter."""
        text = payload.decode("utf-8", "backslashreplace") if isinstance(payload, bytes) else payload
        with transaction.atomic():
            letter = DeadLetter.objects.create(
                adapter=adapter,
                source=source[:200],
                payload=text[:65536],
                reason=reason[:300],
                received_at=timezone.now(),
            )
            _bump(adapter, "malformed", 1)
        return letter
