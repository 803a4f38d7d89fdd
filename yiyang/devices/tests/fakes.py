"""A small engine with one timer, to test the runner without the real engine."""

from datetime import datetime, timedelta
from typing import Any

from yiyang.monitoring.engine import contract as c

QUIET = timedelta(minutes=30)


class FakeEngine:
    """SOS raises at once; an elder silent for QUIET after a reading raises "inactivity" (once)."""

    def __init__(self) -> None:
        self.deadlines: dict[int, datetime] = {}
        self.fed: list[str] = []

    def feed(self, reading: c.Reading, now: datetime) -> list[c.Command]:
        self.fed.append(reading.key)
        self.deadlines[reading.elder_id] = reading.device_ts + QUIET
        out: list[c.Command] = [c.MarkReading(reading, reading.code != c.HEART_RATE or reading.value < 300,
                                              "" if reading.code != c.HEART_RATE or reading.value < 300 else "hr_out_of_range")]  # fmt: skip
        if reading.code == c.ALARM_SOS:
            out.append(c.RaiseAlert(reading.elder_id, "sos", "emergency", reading.device_ts, "fake.sos"))
        if reading.code == c.BATTERY:
            out.append(c.DeviceStatus(reading.device_id, reading.received_ts, online=True, battery=reading.value))
        return out

    def advance(self, now: datetime) -> list[c.Command]:
        due = [elder for elder, at in self.deadlines.items() if at <= now]
        for elder in due:
            del self.deadlines[elder]
        return [c.RaiseAlert(elder, "inactivity", "urgent", now, "fake.inactivity") for elder in due]

    def snapshot(self) -> dict[str, Any]:
        return {"deadlines": {str(k): v.isoformat() for k, v in self.deadlines.items()}}

    def restore(self, data: dict[str, Any]) -> None:
        self.deadlines = {int(k): datetime.fromisoformat(v) for k, v in data["deadlines"].items()}


class FakeAlerts:
    """Stands in for alerts_apply: one open alert per (elder, type), repeats counted."""

    def __init__(self) -> None:
        self.open: dict[tuple[int, str], int] = {}
        self.calls = 0

    def __call__(self, commands: list[c.Command]) -> None:
        self.calls += 1
        for command in commands:
            if isinstance(command, c.RaiseAlert):
                key = (command.elder_id, command.alert_type)
                self.open[key] = self.open.get(key, 0) + 1
