"""The audit log's hash chain: how an event is hashed, how events are appended in one strict order,
and how the chain is verified.

Each event's `hash` is SHA-256 over `prev_hash` and a canonical serialisation of its own fields
(`HASHED_FIELDS`, in that order, as compact JSON). Appending locks the one-row chain head
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite transactions here begin IMMEDIATE, which already
serialises writers), so concurrent writers still form one chain with consecutive sequences.
"""

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiyang.audit.models import AuditAction, AuditChainHead, AuditEvent

# The hashed columns, in serialisation order (prev_hash is prefixed separately).
HASHED_FIELDS = (
    "sequence",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "summary",
    "fields",
    "record_ids",
    "district_id",
    "ip_address",
    "user_agent",
    "path",
    "method",
    "status_code",
    "checkpoint_hash",
)
HEAD_ID = 1


@lru_cache(maxsize=65536)
def normalise_ip(value: str | None) -> str | None:
    """The address as Python spells it, so a database that re-formats it (PostgreSQL inet) hashes alike."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _at(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, values: Sequence[Any]) -> str:
    """SHA-256 (hex) of prev_hash and `values` (HASHED_FIELDS in order, `at` as an aware datetime)."""
    row = list(values)
    row[1] = _at(row[1])
    # A valid address in its canonical spelling; anything else (only tampering puts it there) as it is.
    row[11] = normalise_ip(row[11]) or row[11]
    payload = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def _values(event: AuditEvent) -> list[Any]:
    return [getattr(event, name) for name in HASHED_FIELDS]


def lock_head() -> AuditChainHead:
    """The chain head, locked for the rest of the transaction (created if a flush removed it)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=HEAD_ID)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
    return head


def append_events(events: Sequence[AuditEvent], *, keep_at: bool = False, set_ids: bool = True) -> list[AuditEvent]:
    """Append `events` (new, unsaved) to the chain, in the order given, inside the caller's transaction.

    Sets each event's sequence, prev_hash and hash, and `at` to now (taken under the lock, so time
    never runs backwards along the chain) unless `keep_at` (bulk loads of past events: seed, benchmark).
    The chain's order is the order of sequence and of id. This is the only way rows enter the table.
    `set_ids=False` (large bulk loads) inserts with one executemany and leaves the events' pk unset.
    """
    if not events:
        return []
    with transaction.atomic():
        head = lock_head()
        sequence, prev = head.sequence, head.hash
        now = timezone.now()
        for event in events:
            if event.pk is not None or not event._state.adding:
                raise ValueError("only new audit events can be appended")
            sequence += 1
            event.sequence = sequence
            if not keep_at or event.at is None:
                event.at = now
            event.ip_address = normalise_ip(event.ip_address)
            event.checkpoint_hash = event.checkpoint_hash or ""
            event.prev_hash = prev
            event.hash = prev = event_hash(prev, _values(event))
        if len(events) == 1:
            events[0]._insert_chained()
        elif set_ids:
            AuditEvent._base_manager.bulk_create(events, batch_size=2000)
        else:
            _insert_many(events)
        AuditChainHead.objects.filter(pk=HEAD_ID).update(sequence=sequence, hash=prev)
    return list(events)


def _insert_many(events: Sequence[AuditEvent]) -> None:
    columns = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values as parameters
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(str(f.column)) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    params = [[f.get_db_prep_save(getattr(e, f.attname), connection) for f in columns] for e in events]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# ---------------------------------------------------------------------------------------- verify
@dataclass(frozen=True)
class BrokenLink:
    event_id: int | None
    sequence: int | None
    problem: str
    expected: str
    found: str


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    first_broken: BrokenLink | None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def _rows(chunk_size: int) -> Iterator[tuple[Any, ...]]:
    """(id, prev_hash, hash, *HASHED_FIELDS) in chain order, one chunk of plain tuples at a time."""
    columns = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    last = -1
    base = AuditEvent._base_manager.order_by("sequence")
    while True:
        chunk = list(base.filter(sequence__gt=last).values_list(*columns)[:chunk_size])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1][3]


def _checkpoints() -> dict[int, str]:
    """Purge checkpoints: last purged sequence → that event's hash (the purge events are in the chain)."""
    return {
        int(entity_id): checkpoint
        for entity_id, checkpoint in AuditEvent._base_manager.filter(action=AuditAction.PURGE).values_list(
            "entity_id", "checkpoint_hash"
        )
        if entity_id.isdigit()
    }


def verify_chain(*, chunk_size: int = 5000) -> VerifyReport:
    """Walk the whole chain oldest first in constant memory; stop at the first broken link.

    A link is broken when an event's sequence is not the previous one's plus one, its prev_hash is not
    the previous event's hash, or its hash is not what its fields give. The oldest event must start the
    chain (sequence 1, empty prev_hash) or follow a purge checkpoint; the newest must be the chain head.
    """
    import time

    started = time.perf_counter()
    checked = 0
    prev_sequence: int | None = None
    prev_hash = ""
    broken: BrokenLink | None = None
    for row in _rows(chunk_size):
        event_id, stored_prev, stored_hash, values = row[0], row[1], row[2], row[3:]
        sequence = values[0]
        if prev_sequence is None:
            if sequence != 1:
                anchor = _checkpoints().get(sequence - 1)
                if anchor is None or anchor != stored_prev:
                    broken = BrokenLink(
                        event_id, sequence, "oldest event follows no purge checkpoint", anchor or "", stored_prev
                    )
                    break
            elif stored_prev != "":
                broken = BrokenLink(event_id, sequence, "first event has a previous hash", "", stored_prev)
                break
            prev_hash = stored_prev
        elif sequence != prev_sequence + 1:
            broken = BrokenLink(event_id, sequence, "sequence gap", str(prev_sequence + 1), str(sequence))
            break
        if stored_prev != prev_hash:
            broken = BrokenLink(event_id, sequence, "prev_hash differs", prev_hash, stored_prev)
            break
        expected = event_hash(stored_prev, values)
        if expected != stored_hash:
            broken = BrokenLink(event_id, sequence, "hash differs from the event's fields", expected, stored_hash)
            break
        checked += 1
        prev_sequence, prev_hash = sequence, stored_hash
    if broken is None:
        head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
        head_sequence, head_hash = (head.sequence, head.hash) if head else (0, "")
        if (prev_sequence or 0, prev_hash) != (head_sequence, head_hash):
            broken = BrokenLink(
                None,
                prev_sequence,
                "chain ends before the head (newest events removed)" if head else "chain head missing",
                f"{head_sequence}:{head_hash}",
                f"{prev_sequence or 0}:{prev_hash}",
            )
    return VerifyReport(checked=checked, first_broken=broken, seconds=time.perf_counter() - started)
