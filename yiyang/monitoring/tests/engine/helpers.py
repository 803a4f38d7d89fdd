"""Helpers for the engine's table tests: build readings at local times and run them through `step`."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yiyang.monitoring.engine.contract import (
    BED_OCCUPANCY,
    DOOR,
    MOTION,
    Command,
    ConditionCleared,
    DowngradeAlert,
    MarkReading,
    Quality,
    RaiseAlert,
    Reading,
    Tick,
)
from yiyang.monitoring.engine.core import step
from yiyang.monitoring.engine.events import Event
from yiyang.monitoring.engine.rules import RuleSet, default_ruleset
from yiyang.monitoring.engine.state import ElderState

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = datetime(2025, 3, 3, tzinfo=SHANGHAI)  # a Monday, local midnight
T0 = DAY0 + timedelta(hours=10)  # 10:00 local
ELDER = 1
WATCH, BED, PIR, DOOR_DEV = 11, 12, 13, 14
_seq = [0]


def local(day: int, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return (DAY0 + timedelta(days=day, hours=int(hours), minutes=int(minutes))).astimezone(UTC)


def mins(m: float, base: datetime = T0) -> datetime:
    return (base + timedelta(minutes=m)).astimezone(UTC)


def rd(code: str, value: Any, when: datetime, kind: str = "vital", device: int = WATCH, **quality: Any) -> Reading:
    _seq[0] += 1
    when = when.astimezone(UTC)
    return Reading(f"k{_seq[0]}", device, ELDER, kind, code, value, "", when, when, Quality(**quality))  # type: ignore[arg-type]


def motion(when: datetime, room: str = "living") -> Reading:
    return rd(MOTION, room, when, "activity", PIR)


def bed(when: datetime, value: str) -> Reading:
    return rd(BED_OCCUPANCY, value, when, "state", BED)


def door(when: datetime, value: str = "open") -> Reading:
    return rd(DOOR, value, when, "activity", DOOR_DEV)


class Run:
    """One elder's state fed event by event; every command is kept."""

    def __init__(self, rules: RuleSet | None = None, state: ElderState | None = None) -> None:
        self.rules = rules or default_ruleset()
        self.state = state or ElderState(ELDER)
        self.commands: list[Command] = []

    def feed(self, event: Event, now: datetime | None = None) -> list[Command]:
        if now is None:
            now = event.device_ts if isinstance(event, Reading) else datetime.now(UTC)
        _, cmds = step(self.state, event, now, self.rules)
        self.commands.extend(cmds)
        return cmds

    def readings(self, *readings: Reading) -> "Run":
        for reading in readings:
            self.feed(reading)
        return self

    def tick(self, when: datetime) -> list[Command]:
        return self.feed(Tick(), when.astimezone(UTC))

    def raised(self, alert_type: str | None = None) -> list[RaiseAlert]:
        return [c for c in self.commands if isinstance(c, RaiseAlert) and alert_type in (None, c.alert_type)]

    def types(self) -> list[tuple[str, str]]:
        return [(c.alert_type, c.severity) for c in self.raised()]

    def cleared(self) -> list[str]:
        return [c.alert_type for c in self.commands if isinstance(c, ConditionCleared)]

    def downgrades(self) -> list[tuple[str, str]]:
        return [(c.severity, c.reason) for c in self.commands if isinstance(c, DowngradeAlert)]

    def marks(self) -> list[tuple[bool, str]]:
        return [(c.valid, c.reason) for c in self.commands if isinstance(c, MarkReading)]
