"""The engine runner and the command writer.

The runner consumes the reading log (`DeviceReading` rows in id order) after `position`, feeds each
reading to the engine, calls `advance(now)` so timers fire, and hands every command to the writer,
which applies a batch in one transaction: invalid marks and device status in bulk, alert commands
through `yiyang.alerts.services.alerts_apply`. Every `snapshot_every` the same transaction also
stores the engine snapshot with the position (a `RunnerCheckpoint` row), so state and position never
disagree. On start the runner restores the snapshot, re-feeds the rows after its position (alert
apply is idempotent, so replays are harmless) and advances to now, so timers due while it was down
fire at once. Every method takes an explicit `now`, so tests drive time.

Ids can commit out of order on PostgreSQL (concurrent inserts, and ON CONFLICT consumes ids); a
missing id below the newest seen is kept as a gap and looked up again for `GAP_WAIT_S` seconds.
"""

import importlib
import json
import logging
import pickle
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import OperationalError, transaction
from django.utils import timezone

from yiyang.devices.intake_log import row_reading
from yiyang.devices.models import Device, DeviceReading, RunnerCheckpoint
from yiyang.monitoring.engine import contract as c

log = logging.getLogger(__name__)

GAP_WAIT_S = 5.0
MAX_GAPS = 20_000


class EngineLike(Protocol):
    def feed(self, reading: c.Reading, now: datetime) -> list[c.Command]: ...
    def advance(self, now: datetime) -> list[c.Command]: ...
    def snapshot(self) -> Any: ...


AlertsApply = Callable[[list[c.Command]], Any]


def _optional(module: str, name: str) -> Any:
    """`module.name`, or None while a colleague's module does not provide it yet."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def load_engine() -> EngineLike:
    """The monitoring engine, or a pass-through stand-in while it does not exist."""
    engine_class = _optional("yiyang.monitoring.engine.engine", "Engine") or _optional(
        "yiyang.monitoring.engine", "Engine"
    )
    if engine_class is None:
        log.warning("yiyang.monitoring.engine.Engine not found: using the pass-through engine")
        return PassThroughEngine()
    return engine_class()


def load_alerts_apply() -> AlertsApply:
    alerts_apply = _optional("yiyang.alerts.services", "alerts_apply")
    if alerts_apply is None:
        log.warning("yiyang.alerts.services.alerts_apply not found: alert commands are only logged")
        return lambda commands: log.info("alerts: %s", commands)
    return alerts_apply


class PassThroughEngine:
    """No rules beyond the obvious: SOS and falls raise, device quality is kept, status follows the
    tech readings. Used only when the real engine is missing."""

    def feed(self, reading: c.Reading, now: datetime) -> list[c.Command]:
        out: list[c.Command] = [c.MarkReading(reading, reading.quality.valid, reading.quality.reason)]
        if reading.code in (c.ALARM_SOS, c.ALARM_FALL):
            alert_type = "sos" if reading.code == c.ALARM_SOS else "fall"
            out.append(
                c.RaiseAlert(reading.elder_id, alert_type, "emergency", reading.device_ts, f"passthrough.{alert_type}")
            )
        battery = reading.value if reading.code == c.BATTERY else None
        worn = reading.value if reading.code == c.WORN else None
        out.append(c.DeviceStatus(reading.device_id, reading.received_ts, online=True, battery=battery, worn=worn))
        return out

    def advance(self, now: datetime) -> list[c.Command]:
        return []

    def snapshot(self) -> dict[str, Any]:
        return {}

    def restore(self, data: Any) -> None:
        return None


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
            groups: dict[frozenset[str], list[Device]] = {}
            for device_id, fields in status.items():
                if fields:
                    groups.setdefault(frozenset(fields), []).append(Device(pk=device_id, **fields))
            for names, devices in groups.items():
                Device.objects.bulk_update(devices, sorted(names), batch_size=500)
                stats.devices_updated += len(devices)
            if alerts:
                self.alerts_apply(alerts)
                stats.alert_commands = len(alerts)
            if also is not None:
                also()
        return stats


# ------------------------------------------------------------------------------------------ runner
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


def _restored(engine: EngineLike, state: Any) -> EngineLike:
    """`restore` may be an instance method (mutates, returns None) or a classmethod (returns a new
    engine); both are accepted."""
    restore = getattr(engine, "restore", None)
    if restore is None:
        return engine
    result = restore(state)
    return engine if result is None else result


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
    snapshot_every: timedelta = timedelta(seconds=3)
    engine: EngineLike | None = None
    position: int = 0
    gaps: dict[int, float] = field(default_factory=dict)  # missing id → monotonic time first missed
    last_snapshot: datetime | None = None
    consumed: int = 0
    on_batch: Callable[[list[c.Reading], list[c.Command]], None] | None = None
    # Last-seen times are written at most this often (they are status, not evidence), which keeps
    # the runner's writes out of the adapters' way on SQLite's single write lock.
    seen_every: timedelta = timedelta(seconds=1)
    _seen: dict[int, datetime] = field(default_factory=dict)
    _seen_written: datetime | None = None
    # Commands whose write failed (SQLite busy, a lost connection): retried first on the next step,
    # so a transient database error delays them but never drops them.
    _unwritten: list[c.Command] = field(default_factory=list)
    write_failures: int = 0

    # ---- start and recovery
    def start(self, now: datetime) -> StartReport:
        began = time.perf_counter()
        engine = self.engine_factory()
        checkpoint = RunnerCheckpoint.objects.filter(name=self.name).first()
        restored = False
        if checkpoint is not None and checkpoint.state is not None:
            engine = _restored(engine, _load(bytes(checkpoint.state)))
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

    def save_checkpoint(self, now: datetime) -> None:
        assert self.engine is not None
        RunnerCheckpoint.objects.update_or_create(
            name=self.name,
            defaults={
                "position": self.position,
                "gaps": sorted(self.gaps),
                "state": _dump(self.engine.snapshot()),
                "saved_at": now,
            },
        )
        self.last_snapshot = now

    # ---- the loop
    def _fetch(self) -> list[DeviceReading]:
        rows = list(DeviceReading.objects.filter(id__gt=self.position).order_by("id")[: self.batch_size])
        if self.gaps:
            clock = time.monotonic()
            for gap in [g for g, since in self.gaps.items() if clock - since > GAP_WAIT_S]:
                del self.gaps[gap]
            if self.gaps:
                late = list(DeviceReading.objects.filter(id__in=list(self.gaps)[:1000]))
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
        rows = self._fetch()
        readings = [row_reading(row) for row in rows]
        commands: list[c.Command] = []
        seen = self._seen
        for reading in readings:
            commands += self.engine.feed(reading, now)
            if reading.received_ts > seen.get(reading.device_id, reading.received_ts - timedelta(seconds=1)):
                seen[reading.device_id] = reading.received_ts
        commands += self.engine.advance(now)
        due = snapshot and (self.last_snapshot is None or now - self.last_snapshot >= self.snapshot_every)
        write_seen = bool(seen) and (
            self._seen_written is None or now - self._seen_written >= self.seen_every or not snapshot
        )
        if write_seen:
            self._seen, self._seen_written = {}, now
        else:
            seen = {}
        useful = self._unwritten + [cmd for cmd in commands if not (isinstance(cmd, c.MarkReading) and cmd.valid)]
        self._unwritten = []
        if useful or seen or due:
            try:
                self.writer.apply(useful, seen=seen, also=(lambda: self.save_checkpoint(now)) if due else None)
            except OperationalError:
                log.exception("runner: write failed, retrying with the next step")
                self.write_failures += 1
                self._unwritten = useful
                for device_id, at in seen.items():
                    self._seen[device_id] = max(at, self._seen.get(device_id, at))
                self._seen_written = None
        self.consumed += len(readings)
        if self.on_batch is not None:
            self.on_batch(readings, commands)
        return len(readings)

    def run_forever(self, stop: threading.Event, *, idle_sleep: float = 0.02, tick: float = 0.25) -> None:
        """Poll the log; `advance` runs at least every `tick` seconds (≤ 0.5 s) even when idle."""
        if self.engine is None:
            self.start(timezone.now())
        while not stop.is_set():
            n = self.step(timezone.now())
            if n < self.batch_size:
                stop.wait(min(idle_sleep, tick))
