"""Replay canonical readings through the Engine on simulated time (the core of `yiyang replay`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from yiyang.monitoring.engine.contract import Command, RaiseAlert
from yiyang.monitoring.engine.engine import Engine
from yiyang.monitoring.engine.readings import ReadingFormatError, reading_from_json
from yiyang.monitoring.engine.rules import RuleSet


@dataclass
class ReplayStats:
    lines: int = 0
    readings: int = 0
    malformed: int = 0
    alerts: int = 0
    out_of_order: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def alert_line(command: RaiseAlert) -> dict[str, Any]:
    return {
        "elder_id": command.elder_id,
        "alert_type": command.alert_type,
        "severity": command.severity,
        "opened_at": command.at.astimezone(UTC).isoformat(),
    }


def replay(
    lines: Iterable[str],
    rules: RuleSet | None = None,
    on_alert: Callable[[RaiseAlert], None] | None = None,
    on_error: Callable[[int, str], None] | None = None,
    on_command: Callable[[Command], None] | None = None,
) -> ReplayStats:
    """Push JSONL readings through a fresh Engine, advancing simulated time to each device_ts.

    Timers due between readings fire at their own deadlines; after the last line the engine is
    advanced to the last reading's time only (no timers beyond the data). A reading earlier than
    the clock is processed at the current clock (counted as out_of_order). Malformed lines are
    reported through `on_error(line_number, reason)` and counted, never fatal.
    """
    engine = Engine(rules)
    stats = ReplayStats()
    clock = None

    def emit(commands: list[Command]) -> None:
        for command in commands:
            if on_command is not None:
                on_command(command)
            if type(command) is RaiseAlert:
                stats.alerts += 1
                if on_alert is not None:
                    on_alert(command)

    for number, line in enumerate(lines, start=1):
        stats.lines += 1
        text = line.strip()
        if not text:
            continue
        try:
            reading = reading_from_json(json.loads(text))
        except (ValueError, ReadingFormatError) as exc:
            stats.malformed += 1
            reason = str(exc) if isinstance(exc, ReadingFormatError) else f"invalid JSON: {exc}"
            stats.errors.append((number, reason))
            if on_error is not None:
                on_error(number, reason)
            continue
        when = reading.device_ts
        if clock is not None and when < clock:
            stats.out_of_order += 1
            when = clock
        emit(engine.advance_to(when))
        clock = when
        emit(engine.feed(reading, when))
        stats.readings += 1
    return stats


def iter_alert_lines(lines: Iterable[str], rules: RuleSet | None = None) -> Iterator[dict[str, Any]]:
    """Convenience for tests: the alert lines a replay writes."""
    out: list[dict[str, Any]] = []
    replay(lines, rules, on_alert=lambda c: out.append(alert_line(c)))
    yield from out
