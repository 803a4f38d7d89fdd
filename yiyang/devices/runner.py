"""The engine runner and the command writer.

The runner consumes the reading log (`DeviceReading` rows in id order) after `position`, feeds each
reading to the engine, calls `advance(now)` so timers fire, and hands every command to the writer,
which applies a batch in one transaction: invalid marks and device status in bulk, alert commands
through `yiyang.alerts.services.alerts_apply`.

Checkpoints: every `snapshot_every` the runner starts a cut of the engine's state as of its current
position. Only the elders changed since the previous cut are captured, `capture_per_step` per step
(the engine captures an elder early if it is about to change), and when the cut is complete the same
transaction as that step's commands stores their `EngineElderState` rows and the cut's position in
`RunnerCheckpoint`, so state and position never disagree and no step stalls to serialize a whole
district. On start the runner restores the rows, re-feeds the readings after the position (alert
apply is idempotent, so replays are harmless) and advances to now, so timers due while it was down
fire at once. Every method takes an explicit `now`, so tests drive time.

Ids can commit out of order on PostgreSQL (concurrent inserts, and ON CONFLICT consumes ids); a
missing id below the newest seen is kept as a gap and looked up again for `GAP_WAIT_S` seconds.
"""

import itertools
import json
import logging
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeGuard

from django.db import OperationalError, connection, models, transaction
from django.utils import timezone

from yiyang.devices.intake_log import ReadingTable, RowReading
from yiyang.devices.models import Device, DeviceReading, EngineElderState, RunnerCheckpoint
from yiyang.monitoring.engine import contract as c

log = logging.getLogger(__name__)

GAP_WAIT_S = 5.0
MAX_GAPS = 20_000


class EngineLike(Protocol):
    def feed(self, reading: c.Reading, now: datetime) -> list[c.Command]: ...
    def advance(self, now: datetime) -> list[c.Command]: ...
    def snapshot(self) -> Any: ...
    def restore(self, state: Any) -> None: ...


class IncrementalEngine(EngineLike, Protocol):
    """An engine that can checkpoint the elders changed since the last cut (the real one)."""

    STATE_LAYOUT: Sequence[str]

    def begin_cut(self) -> int: ...
    def capture_some(self, limit: int) -> bool: ...
    def take_captured(self) -> dict[int, bytes]: ...
    def finish_cut(self) -> dict[int, bytes]: ...
    def abort_cut(self) -> None: ...
    def redirty(self, elder_ids: Iterable[int]) -> None: ...
    def mark_all_dirty(self) -> None: ...
    def restore_states(self, rows: Iterable[tuple[int, bytes]], layout: Sequence[str]) -> None: ...


AlertsApply = Callable[[list[c.Command]], Any]


def load_engine() -> EngineLike:
    """The monitoring engine with each elder's rules (defaults + district override + the elder's
    profile, from `yiyang.monitoring.selectors.rules_resolver`)."""
    from yiyang.monitoring.engine.engine import Engine
    from yiyang.monitoring.selectors import rules_resolver

    return Engine(rules_for=rules_resolver())


def load_alerts_apply() -> AlertsApply:
    from yiyang.alerts.services import alerts_apply

    return alerts_apply


# ------------------------------------------------------------------------------------------ writer
@dataclass
class WriteStats:
    marked_invalid: int = 0
    devices_updated: int = 0
    alert_commands: int = 0


class CommandWriter:
    """Applies engine commands in one transaction per batch, with bulk statements."""

    def __init__(self, alerts_apply: AlertsApply | None = None) -> None:
        self._alerts_apply = alerts_apply

    @property
    def alerts_apply(self) -> AlertsApply:
        if self._alerts_apply is None:
            self._alerts_apply = load_alerts_apply()
        return self._alerts_apply

    def apply(
        self,
        commands: Iterable[c.Command],
        *,
        seen: dict[int, datetime] | None = None,
        also: Callable[[], None] | None = None,
    ) -> WriteStats:
        """`seen`: device id → newest receive time (last seen, online). `also` runs inside the same
        transaction (the runner's checkpoint)."""
        stats = WriteStats()
        invalid: dict[str, list[tuple[str, datetime]]] = {}
        status: dict[int, dict[str, Any]] = {}
        alerts: list[c.Command] = []
        for device_id, at in (seen or {}).items():
            status.setdefault(device_id, {}).update(last_seen_at=at, online=True)
        for command in commands:
            if isinstance(command, c.MarkReading):
                reading = command.reading
                if not command.valid and (reading.quality.valid or reading.quality.reason != command.reason):
                    invalid.setdefault(command.reason[:64], []).append((reading.key, reading.device_ts))
            elif isinstance(command, c.DeviceStatus):
                fields = status.setdefault(command.device_id, {})
                for name in ("online", "battery", "worn"):
                    value = getattr(command, name)
                    if value is not None:
                        fields[name] = max(0, min(100, int(value))) if name == "battery" else value
            else:
                alerts.append(command)
        with transaction.atomic():
            for reason, keys in invalid.items():
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    stats.marked_invalid += DeviceReading.objects.filter(
                        key__in=[k for k, _ in chunk], device_ts__in={ts for _, ts in chunk}
                    ).update(valid=False, invalid_reason=reason)
            stats.devices_updated = _update_devices(status)
            if alerts:
                self.alerts_apply(alerts)
                stats.alert_commands = len(alerts)
            if also is not None:
                also()
        return stats


def _device_field(name: str) -> "models.Field[Any, Any]":
    field = Device._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _update_devices(status: dict[int, dict[str, Any]]) -> int:
    """One prepared UPDATE per set of fields, executed for many devices (Django's bulk_update builds
    a CASE expression per row, which cost more than the rest of the runner together)."""
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for device_id, fields in status.items():
        if fields:
            names = tuple(sorted(fields))
            groups.setdefault(names, []).append([*(fields[name] for name in names), device_id])
    table = connection.ops.quote_name(Device._meta.db_table)
    quote = connection.ops.quote_name
    updated = 0
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            model_fields = [_device_field(name) for name in names]
            params = [
                [*(f.get_db_prep_value(v, connection) for f, v in zip(model_fields, row, strict=False)), row[-1]]
                for row in rows
            ]
            if connection.vendor == "postgresql":
                # One statement over arrays: a pipelined UPDATE per device cost ~80 us of server time.
                columns = [quote(str(f.column)) for f in model_fields]
                types = [f"{f.db_type(connection)}[]" for f in model_fields]
                unnest = ", ".join(f"%s::{t}" for t in [*types, "bigint[]"])
                assignments = ", ".join(f"{column} = v.c{i}" for i, column in enumerate(columns))
                aliases = ", ".join([*(f"c{i}" for i in range(len(columns))), "id"])
                cursor.execute(
                    f"UPDATE {table} AS d SET {assignments} FROM unnest({unnest}) AS v({aliases}) "  # noqa: S608
                    "WHERE d.id = v.id",
                    [list(column) for column in zip(*params, strict=True)],
                )
            else:
                assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in model_fields)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", params)  # noqa: S608
            updated += len(rows)
    return updated


# ------------------------------------------------------------------------------------------ runner
INCREMENTAL = b"I"


def _run_all(parts: list[Callable[[], None]]) -> None:
    for part in parts:
        part()


def _incremental(engine: object) -> TypeGuard[IncrementalEngine]:
    return hasattr(engine, "begin_cut")


def _dump(state: Any) -> bytes:
    if isinstance(state, bytes):
        return b"B" + state
    try:
        return b"J" + json.dumps(state).encode()
    except (TypeError, ValueError):
        return b"P" + pickle.dumps(state)


def _load(blob: bytes) -> Any:
    tag, body = blob[:1], blob[1:]
    if tag == b"B":
        return body
    if tag == b"J":
        return json.loads(body)
    return pickle.loads(body)  # noqa: S301


@dataclass
class StartReport:
    restored: bool
    position: int
    replayed: int
    seconds: float


@dataclass
class Runner:
    engine_factory: Callable[[], EngineLike] = load_engine
    writer: CommandWriter = field(default_factory=CommandWriter)
    name: str = "main"
    batch_size: int = 5000
    snapshot_every: timedelta = timedelta(seconds=5)
    engine: EngineLike | None = None
    position: int = 0
    gaps: dict[int, float] = field(default_factory=dict)  # missing id → monotonic time first missed
    last_snapshot: datetime | None = None
    consumed: int = 0
    on_batch: Callable[[list[c.Reading], list[c.Command]], None] | None = None
    # Last-seen times are written at most this often (they are status, not evidence), which keeps
    # the runner's writes out of the adapters' way on SQLite's single write lock.
    seen_every: timedelta = timedelta(seconds=5)
    _seen: dict[int, datetime] = field(default_factory=dict)
    _seen_written: datetime | None = None
    _seen_backlog: dict[int, datetime] = field(default_factory=dict)
    seen_per_step: int = 1000
    # How often to check for changed rule overrides (two aggregate queries).
    rules_every_s: float = 2.0
    _rules_checked: float = 0.0
    # Commands whose write failed (SQLite busy, a lost connection): retried first on the next step,
    # so a transient database error delays them but never drops them.
    _unwritten: list[c.Command] = field(default_factory=list)
    write_failures: int = 0
    _table: ReadingTable | None = None
    _handoff: dict[int, c.Reading] | None = None
    # Incremental checkpoints: a cut starts every `snapshot_every`, is captured `capture_per_step`
    # elders per step (so no step stalls for seconds) and is stored with the position it began at.
    capture_per_step: int = 500
    _cut_at: int | None = None
    _cut_gaps: list[int] = field(default_factory=list)
    _cut_gen: int = 0
    _cut_elders: list[int] = field(default_factory=list)
    _generation: int = 0
    _orphan_gen: int | None = None
    _prune: list[tuple[int, int]] = field(default_factory=list)

    # ---- start and recovery
    def start(self, now: datetime) -> StartReport:
        began = time.perf_counter()
        engine = self.engine_factory()
        checkpoint = RunnerCheckpoint.objects.filter(name=self.name).first()
        restored = False
        self._cut_at, self._cut_elders, self._prune, self._orphan_gen = None, [], [], None
        if checkpoint is not None and checkpoint.state is not None:
            blob = bytes(checkpoint.state)
            if blob[:1] == INCREMENTAL:
                if not _incremental(engine):
                    raise RuntimeError(f"checkpoint {self.name!r} needs an engine with incremental snapshots")
                self._generation = checkpoint.generation
                engine.restore_states(self._load_states(), json.loads(blob[1:])["layout"])
            else:
                engine.restore(_load(blob))
                if _incremental(engine):
                    engine.mark_all_dirty()  # from a whole snapshot: the first cut writes every elder
            self.position = checkpoint.position
            self.gaps = {int(g): time.monotonic() for g in checkpoint.gaps}
            restored = True
        self.engine = engine
        replayed = 0
        while True:
            n = self.step(now, snapshot=False)
            replayed += n
            if n < self.batch_size:
                break
        self.save_checkpoint(now)
        return StartReport(restored, self.position, replayed, time.perf_counter() - began)

    def _load_states(self) -> list[tuple[int, bytes]]:
        """Each elder's newest row of a committed generation; rows of a cut that never committed
        are dropped, superseded rows queued for pruning."""
        EngineElderState.objects.filter(runner=self.name, generation__gt=self._generation).delete()
        rows = (
            EngineElderState.objects.filter(runner=self.name)
            .order_by("elder_id", "generation")
            .values_list("elder_id", "generation", "state")
        )
        newest: dict[int, tuple[int, bytes]] = {}
        superseded = False
        for elder_id, generation, state in rows.iterator(2000):
            superseded |= elder_id in newest
            newest[elder_id] = (generation, bytes(state))
        if superseded:
            self._prune = [(elder_id, generation) for elder_id, (generation, _) in newest.items()]
        return [(elder_id, state) for elder_id, (_, state) in newest.items()]

    def save_checkpoint(self, now: datetime) -> None:
        """Store state and position now (a cut in progress is finished first)."""
        engine = self.engine
        assert engine is not None
        if not _incremental(engine):
            RunnerCheckpoint.objects.update_or_create(
                name=self.name,
                defaults={
                    "position": self.position,
                    "gaps": sorted(self.gaps),
                    "state": _dump(engine.snapshot()),
                    "saved_at": now,
                },
            )
            self.last_snapshot = now
            return
        if self._cut_at is not None:
            self._abort_cut()  # its rows are deleted below; one fresh cut covers all
        try:
            with transaction.atomic():
                self._delete_orphans()
                self._begin_cut()
                self._write_chunk(engine.finish_cut(), done=True)
        except BaseException:
            self._abort_cut()
            raise
        self._orphan_gen = None
        self._committed(now, done=True)

    # ---- incremental checkpoints
    # A cut is written in chunks, each in the transaction of a step, as rows of a new generation;
    # the checkpoint row moves to that generation (and the cut's position) only with the last
    # chunk. Restore takes each elder's newest row of a committed generation, so a half-written cut
    # is never read; its rows are deleted, and superseded rows are pruned a chunk at a time.
    # In-memory bookkeeping changes only after the transaction commits (`_committed`).
    def _begin_cut(self) -> None:
        engine = self.engine
        assert _incremental(engine)
        engine.begin_cut()
        self._cut_at, self._cut_gaps = self.position, sorted(self.gaps)
        self._cut_gen = self._generation + 1
        self._cut_elders = []

    def _write_chunk(self, states: dict[int, bytes], *, done: bool) -> None:
        self._cut_elders.extend(states)  # before the write: a failure re-dirties them too
        if states:
            table = connection.ops.quote_name(EngineElderState._meta.db_table)
            upsert = "ON CONFLICT (runner, elder_id, generation) DO UPDATE SET state = excluded.state"
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":  # one statement over arrays, not one per row
                    cursor.execute(
                        f"INSERT INTO {table} (runner, elder_id, generation, state) "  # noqa: S608
                        f"SELECT %s, e, %s, s FROM unnest(%s::bigint[], %s::bytea[]) AS v(e, s) {upsert}",
                        [self.name, self._cut_gen, list(states), list(states.values())],
                    )
                else:
                    cursor.executemany(
                        f"INSERT INTO {table} (runner, elder_id, generation, state) VALUES (%s, %s, %s, %s) {upsert}",  # noqa: S608
                        [(self.name, elder_id, self._cut_gen, blob) for elder_id, blob in states.items()],
                    )
        if done:
            assert self._cut_at is not None
            layout = list(getattr(self.engine, "STATE_LAYOUT", ()))
            RunnerCheckpoint.objects.update_or_create(
                name=self.name,
                defaults={
                    "position": self._cut_at,
                    "gaps": self._cut_gaps,
                    "generation": self._cut_gen,
                    "state": INCREMENTAL + json.dumps({"layout": layout}).encode(),
                    "saved_at": timezone.now(),
                },
            )

    def _committed(self, now: datetime, *, done: bool) -> None:
        if done:
            self._generation = self._cut_gen
            self._prune.extend((elder_id, self._cut_gen) for elder_id in self._cut_elders)
            self._cut_at, self._cut_elders = None, []
            self.last_snapshot = now

    def _abort_cut(self) -> None:
        """A chunk or the checkpoint failed to commit: forget the cut (its rows, if any, become
        orphans to delete) and let the next cut capture all its elders again."""
        engine = self.engine
        assert _incremental(engine)
        if self._cut_at is not None:
            self._orphan_gen = self._cut_gen
            engine.abort_cut()
            engine.redirty(self._cut_elders)
        self._cut_at, self._cut_elders = None, []

    def _delete_orphans(self) -> None:
        EngineElderState.objects.filter(runner=self.name, generation__gt=self._generation).delete()

    def _prune_some(self, limit: int = 2000) -> None:
        chunk, self._prune = self._prune[:limit], self._prune[limit:]
        if chunk:
            table = connection.ops.quote_name(EngineElderState._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"DELETE FROM {table} WHERE runner = %s AND elder_id = %s AND generation < %s",  # noqa: S608
                    [(self.name, elder_id, generation) for elder_id, generation in chunk],
                )

    # ---- the loop
    @property
    def table(self) -> ReadingTable:
        if self._table is None:
            self._table = ReadingTable()
        return self._table

    def take_from(self, log: Any) -> None:
        """Take committed readings from this process's intake log (`IntakeLog.handoff`) instead of
        reading each new row back: the runner then reads only the ids of new rows, in order, and
        reads from the table just the rows other writers appended."""
        log.handoff = {}
        self._handoff = log.handoff

    def _fetch(self) -> list[RowReading]:
        table = self.table
        handoff = self._handoff
        if handoff is None:
            rows = table.after(self.position, self.batch_size)
        else:
            ids = table.ids_after(self.position, self.batch_size)
            # Take what was handed over first, then read every other id from the table: an entry
            # another thread hands over (or the log drops) meanwhile is never skipped.
            taken = {i: reading for i in ids if (reading := handoff.pop(i, None)) is not None}
            others = {row.id: row for row in table.by_ids([i for i in ids if i not in taken])}
            rows = [RowReading(i, taken[i]) if i in taken else others[i] for i in ids if i in taken or i in others]
            last = ids[-1] if ids else self.position
            if handoff and min(handoff) <= last:
                for stale in [i for i in handoff if i <= last]:
                    del handoff[stale]  # read from the table before its reading was handed over
        if self.gaps:
            clock = time.monotonic()
            for gap in [g for g, since in self.gaps.items() if clock - since > GAP_WAIT_S]:
                del self.gaps[gap]
            if self.gaps:
                late = table.by_ids(list(self.gaps)[:1000])
                for row in late:
                    self.gaps.pop(row.id, None)
                rows = late + rows
        expected = self.position + 1
        clock = time.monotonic()
        for row in rows:
            if row.id > self.position:
                if self.position:  # below the very first row consumed there is nothing to wait for
                    for missing in range(expected, row.id):
                        self.gaps[missing] = clock
                expected = row.id + 1
                self.position = row.id
        if len(self.gaps) > MAX_GAPS:
            for gap in sorted(self.gaps)[: len(self.gaps) - MAX_GAPS]:
                del self.gaps[gap]
        return rows

    def step(self, now: datetime, *, snapshot: bool = True) -> int:
        """Consume one batch of new readings, advance timers to `now`, write the commands. Returns
        how many readings were consumed."""
        assert self.engine is not None, "call start() first"
        self._refresh_rules()
        readings = [row.reading for row in self._fetch()]
        commands: list[c.Command] = []
        seen = self._seen
        feed = self.engine.feed
        for reading in readings:
            commands += feed(reading, now)
            received, device_id = reading.received_ts, reading.device_id
            last = seen.get(device_id)
            if last is None or received > last:
                seen[device_id] = received
        commands += self.engine.advance(now)
        due = snapshot and (self.last_snapshot is None or now - self.last_snapshot >= self.snapshot_every)
        engine = self.engine
        cutting = cleaning = done = False
        parts: list[Callable[[], None]] = []  # run inside the writer's transaction
        if not _incremental(engine):
            if due:
                parts.append(lambda: self.save_checkpoint(now))
        elif snapshot:
            if self._orphan_gen is not None:
                cleaning = True
                parts.append(self._delete_orphans)
            elif due and self._cut_at is None:
                self._begin_cut()
            if self._cut_at is not None:
                cutting = True
                done = engine.capture_some(self.capture_per_step)
                chunk = engine.take_captured()
                if done:
                    chunk.update(engine.finish_cut())
                parts.append(lambda: self._write_chunk(chunk, done=done))
            if self._prune:
                parts.append(self._prune_some)
        # Last-seen times go out a chunk per step, so no single transaction updates every device.
        if seen and (self._seen_written is None or now - self._seen_written >= self.seen_every or not snapshot):
            self._seen_backlog.update(seen)
            self._seen, self._seen_written = {}, now
        if self._seen_backlog:
            chunk_size = len(self._seen_backlog) if not snapshot else self.seen_per_step
            seen = dict(itertools.islice(self._seen_backlog.items(), chunk_size))
            for device_id in seen:
                del self._seen_backlog[device_id]
        else:
            seen = {}
        useful = self._unwritten + [cmd for cmd in commands if not (isinstance(cmd, c.MarkReading) and cmd.valid)]
        self._unwritten = []
        if useful or seen or parts:
            try:
                self.writer.apply(useful, seen=seen, also=partial(_run_all, parts) if parts else None)
            except OperationalError:
                log.exception("runner: write failed, retrying with the next step")
                self.write_failures += 1
                if cutting:
                    self._abort_cut()
                self._unwritten = useful
                for device_id, at in seen.items():
                    self._seen_backlog[device_id] = max(at, self._seen_backlog.get(device_id, at))
            else:
                if cutting:
                    self._committed(now, done=done)
                if cleaning:
                    self._orphan_gen = None
        self.consumed += len(readings)
        if self.on_batch is not None:
            self.on_batch(readings, commands)
        return len(readings)

    def _refresh_rules(self) -> None:
        """Every `rules_every`, ask the engine's rules resolver whether any district override or
        elder profile changed; if so the engine forgets its compiled rules and asks again."""
        refresh = getattr(getattr(self.engine, "rules_source", None), "refresh", None)
        invalidate = getattr(self.engine, "invalidate_rules", None)
        if refresh is None or invalidate is None:
            return
        clock = time.monotonic()
        if clock - self._rules_checked < self.rules_every_s:
            return
        self._rules_checked = clock
        try:
            changed = refresh()
        except OperationalError:
            log.exception("runner: could not check the monitoring rules; keeping the current ones")
            return
        if changed:
            invalidate()
            log.info("runner: monitoring rules changed; reloaded")

    def step_now(self) -> bool:
        """One step at the current time; True when a full batch was read (more is waiting). What
        an intake loop calls after each batch to drive the runner from its own thread."""
        return self.step(timezone.now()) >= self.batch_size

    def run_forever(
        self,
        stop: threading.Event,
        *,
        idle_sleep: float = 0.02,
        tick: float = 0.25,
        wake: threading.Event | None = None,
    ) -> None:
        """Poll the log; `advance` runs at least every `tick` seconds (≤ 0.5 s) even when idle.
        `wake` (the in-process intake's `appended` event) ends an idle wait as soon as readings are
        committed; readings from other processes are still found by polling every `idle_sleep`."""
        if self.engine is None:
            self.start(timezone.now())
        while not stop.is_set():
            if wake is not None:
                wake.clear()
            n = self.step(timezone.now())
            if n < self.batch_size:
                if wake is not None:
                    wake.wait(min(idle_sleep, tick))
                else:
                    stop.wait(min(idle_sleep, tick))
