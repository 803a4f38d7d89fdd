"""The durable intake log: resolve parsed readings to canonical ones and append them in batches.

Adapters call `IntakeLog.append_batch` with many messages at once; it does a handful of queries per
batch whatever its size (one INSERT … ON CONFLICT DO NOTHING on the idempotency key for all rows,
counters, pending devices) and returns once the rows are committed, so the adapter may then
acknowledge the device. A redelivered message makes the same keys and inserts nothing.

The reading table is the hot path (tens of thousands of rows a second), so rows go in and come out
as plain tuples through `ReadingTable`, not model instances: building a model object per reading cost
more than the insert itself.
"""

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from yiyang.devices.adapters.parsing import NUMERIC_CODES, PLAIN_QUALITY, ParsedReading
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
HANDOFF_MAX = 200_000


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


# Columns of the reading table in the order `ReadingTable` writes and reads them.
COLUMNS = (
    "key", "device_id", "elder_id", "kind", "code", "value_num", "value_text", "unit",
    "device_ts", "received_ts", "valid", "invalid_reason", "signal", "worn",
)  # fmt: skip


def _stored_value(code: str, value: Any) -> tuple[float | None, str]:
    """(value_num, value_text) for a reading's value."""
    if code in NUMERIC_CODES and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), ""
    text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return None, text[:64]


def _value_back(code: str, value_num: float | None, value_text: str) -> object:
    if value_num is not None:
        return int(value_num) if value_num.is_integer() else value_num
    if code == c.WORN:
        return value_text == "true"
    return value_text or None


class ReadingTable:
    """Raw-SQL access to `DeviceReading` for intake and the runner (same columns, same rules as the
    model; the model stays the schema and serves every other reader)."""

    def __init__(self) -> None:
        table = connection.ops.quote_name(DeviceReading._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
        self.table = table
        # Names come from the model's meta, values are always parameters.
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608
        self.vendor = connection.vendor
        selected = [connection.ops.quote_name(column) for column in COLUMNS]
        # Times come back as text and are parsed here: on SQLite an expression carries no declared
        # type, so sqlite3 skips Django's per-value converters; on PostgreSQL Django's time-zone
        # loader is Python code per value. `datetime.fromisoformat` is several times faster.
        for index, column in enumerate(COLUMNS):
            if column in ("device_ts", "received_ts"):
                selected[index] = f"CAST({selected[index]} AS TEXT)"
            elif column in ("valid", "worn") and self.vendor == "sqlite":
                selected[index] = f"CAST({selected[index]} AS INTEGER)"
        self.select_sql = f"SELECT id, {', '.join(selected)} FROM {table}"  # noqa: S608

    def adapt_time(self, moment: datetime) -> object:
        # SQLite keeps naive UTC text, exactly what Django's own adapter writes; servers take aware
        # values.
        if self.vendor == "sqlite":
            if moment.tzinfo is not UTC:
                moment = moment.astimezone(UTC)
            return moment.replace(tzinfo=None).isoformat(" ")
        return moment

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> tuple[list[int] | None, int]:
        """Append rows (tuples in COLUMNS order, times already adapted); duplicates of a stored
        (key, device_ts) are skipped. Call inside the caller's transaction. Returns the ids given
        to the rows, in order, when every row was inserted (None when some were duplicates), and
        how many rows were new."""
        if not rows:
            return [], 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                return self._insert_postgresql(cursor, rows)
            # One prepared statement stepped for every row.
            cursor.executemany(self.insert_sql, rows)
            inserted = cursor.rowcount
            if inserted != len(rows):
                return None, inserted
            # Under the write lock each new row takes the next id, so the batch's ids run up to
            # the last one inserted.
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            return list(range(last - len(rows) + 1, last + 1)), inserted

    def _insert_postgresql(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> tuple[list[int] | None, int]:
        # COPY into a per-session temporary table, then one INSERT … SELECT … ON CONFLICT DO
        # NOTHING: the server handles the batch as one statement instead of one per row, and
        # psycopg encodes the rows in C.
        names = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
        # Every time: the table lives as long as the connection, and its creation rolls back with
        # the transaction that made it; IF NOT EXISTS is a catalogue lookup.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS reading_staging ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {names} FROM {self.table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY reading_staging ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {self.table} ({names}) SELECT {names} FROM reading_staging "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id, key"
        )
        given = {key: row_id for row_id, key in cursor.fetchall()}
        # Emptied now as well as at commit: inside an enclosing transaction (a caller's atomic
        # block) the next batch must not see these rows again.
        cursor.execute("TRUNCATE reading_staging")
        if len(given) != len(rows):
            return None, len(given)
        return [given[row[0]] for row in rows], len(given)

    def after(self, position: int, limit: int) -> list["RowReading"]:
        """Up to `limit` readings with id > position, in id order."""
        return self._select(f"{self.select_sql} WHERE id > %s ORDER BY id LIMIT %s", [position, limit])

    def ids_after(self, position: int, limit: int) -> list[int]:
        """The ids `after` would return (an index-only read)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {self.table} WHERE id > %s ORDER BY id LIMIT %s", [position, limit])  # noqa: S608
            return [row_id for (row_id,) in cursor.fetchall()]

    def by_ids(self, ids: list[int]) -> list["RowReading"]:
        out: list[RowReading] = []
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            out += self._select(f"{self.select_sql} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        return out

    def _select(self, sql: str, params: list[Any]) -> list["RowReading"]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        out = []
        times: dict[Any, datetime] = {}  # a batch shares receive times
        quality = PLAIN_QUALITY
        for (
            row_id, key, device_id, elder_id, kind, code, value_num, value_text, unit,
            device_ts, received_ts, valid, reason, signal, worn,
        ) in rows:  # fmt: skip
            device_ts = _aware(device_ts)
            at = times.get(received_ts)
            if at is None:
                at = times[received_ts] = _aware(received_ts)
            received_ts = at
            valid = bool(valid)
            worn = None if worn is None else bool(worn)
            if valid and signal is None and worn is None and not reason:
                q = quality
            else:
                q = c.Quality(valid=valid, signal=signal, worn=worn, reason=reason)
            reading = c.Reading(
                key=key, device_id=device_id, elder_id=elder_id, kind=kind, code=code,
                value=_value_back(code, value_num, value_text), unit=unit,
                device_ts=device_ts, received_ts=received_ts, quality=q,
            )  # fmt: skip
            out.append(RowReading(row_id, reading))
        return out


class RowReading(NamedTuple):
    """A stored reading with its log position."""

    id: int
    reading: c.Reading


def _stored_time(moment: datetime) -> datetime:
    """A time as it comes back from the table: UTC, microseconds kept."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


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
    stored: int = 0  # readings newly stored (a replay of a stored reading is not counted here)
    duplicates: int = 0  # readings already stored before (same key and device time), skipped
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
        self._table: ReadingTable | None = None
        # Set after every commit that stored readings: the runner in this process waits on it
        # instead of polling, which keeps publish-to-alert latency to a few milliseconds.
        self.appended = threading.Event()
        # id -> committed reading, for a runner in this process (`Runner.take_from`): it reads
        # only the ids of new rows and takes these readings instead of reading each row back.
        self.handoff: dict[int, c.Reading] | None = None

    @property
    def table(self) -> ReadingTable:
        if self._table is None:
            self._table = ReadingTable()
        return self._table

    def append(self, message: Message) -> AppendResult:
        return self.append_batch([message])

    def append_batch(self, messages: list[Message]) -> AppendResult:
        result = AppendResult()
        table = self.table
        rows: list[tuple[Any, ...]] = []
        handoff = self.handoff
        readings: list[c.Reading] = []
        adapted: dict[datetime, object] = {}
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
                received = message.received_ts
                received_db = adapted.get(received)
                if received_db is None:
                    received_db = adapted[received] = table.adapt_time(received)
                received_stored = _stored_time(received)
                for parsed in parsed_list:
                    device_ts = parsed.device_ts or received
                    value_num, value_text = _stored_value(parsed.code, parsed.value)
                    q = parsed.quality
                    if len(q.reason) > 64:
                        q = c.Quality(q.valid, q.signal, q.worn, q.reason[:64])
                    idem = reading_key(message.protocol, parsed, device_ts)
                    rows.append((
                        idem, target.device_id, target.elder_id,
                        parsed.kind, parsed.code, value_num, value_text, parsed.unit,
                        table.adapt_time(device_ts), received_db, q.valid, q.reason, q.signal, q.worn,
                    ))  # fmt: skip
                    if handoff is not None:
                        # Exactly what the runner would read back from the row.
                        readings.append(c.Reading(
                            key=idem, device_id=target.device_id, elder_id=target.elder_id, kind=parsed.kind,
                            code=parsed.code, value=_value_back(parsed.code, value_num, value_text),
                            unit=parsed.unit, device_ts=_stored_time(device_ts), received_ts=received_stored,
                            quality=q,
                        ))  # fmt: skip
        with transaction.atomic():
            ids, inserted = table.insert(rows)
            for key, held_messages in held.items():
                _hold_pending(key, held_messages, held_readings[key], held_reason[key])
            for adapter, n in per_adapter.items():
                _bump(adapter, "messages", n)
            _bump("all", "readings", len(rows))
            _bump("all", "pending_readings", sum(held_readings.values()))
        if handoff is not None and ids and len(ids) == len(readings):
            if len(handoff) > HANDOFF_MAX:  # nobody is taking them: the runner reads the rows instead
                handoff.clear()
            handoff.update(zip(ids, readings, strict=True))
        if rows:
            self.appended.set()
        result.stored = inserted
        result.duplicates = len(rows) - inserted
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
