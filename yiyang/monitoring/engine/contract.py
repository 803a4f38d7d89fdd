"""The contract between intake, the engine and the writer. Everything here is plain data.

Intake adapters (MQTT, HTTP webhook, TCP "IW") turn device messages into `Reading`s; the engine is a
pure per-elder step `(state, Reading | Tick, now) -> (state, [Command])`; the writer drains commands to
the database in batches (alerts through the alerts services, readings and device status in bulk).

Times are timezone-aware UTC datetimes. `elder_id` and `device_id` are the database primary keys
(ints) so that the hot path needs no lookups beyond the device→elder binding map held in memory.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

# Reading kinds and codes. Vital-sign codes are LOINC (with UCUM units); the rest are internal.
Kind = Literal["vital", "state", "alarm", "activity", "tech"]

HEART_RATE = "8867-4"  # /min
RESPIRATORY_RATE = "9279-1"  # /min
BODY_TEMPERATURE = "8310-5"  # Cel
SPO2 = "59408-5"  # %
SYSTOLIC_BP = "8480-6"  # mm[Hg]
DIASTOLIC_BP = "8462-4"  # mm[Hg]
BED_OCCUPANCY = "bed.occupancy"  # value: "in" | "out"
MOTION = "motion"  # value: room name; presence detected
DOOR = "door"  # value: "open" | "closed"
ALARM_SOS = "alarm.sos"
ALARM_FALL = "alarm.fall"
ALARM_FALL_CANCEL = "alarm.fall.cancel"
ALARM_NOT_WORN = "alarm.not_worn"
HEARTBEAT = "tech.heartbeat"  # value: None; keeps the device online
BATTERY = "tech.battery"  # value: percent
WORN = "tech.worn"  # value: bool

Severity = Literal["emergency", "urgent", "watch", "technical"]


@dataclass(frozen=True, slots=True)
class Quality:
    valid: bool = True
    signal: int | None = None  # 0–100 where the device reports it
    worn: bool | None = None
    reason: str = ""  # why a reading is invalid, e.g. "hr_out_of_range", "empty_bed"


@dataclass(frozen=True, slots=True)
class Reading:
    """One canonical reading. `key` is the idempotency key: the same key is the same reading."""

    key: str
    device_id: int
    elder_id: int
    kind: Kind
    code: str
    value: Any
    unit: str
    device_ts: datetime
    received_ts: datetime
    quality: Quality = field(default_factory=Quality)


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passing with no reading: lets timers (inactivity, confirmation windows) fire."""


@dataclass(frozen=True, slots=True)
class RaiseAlert:
    """Open the (elder, alert_type) alert, or update it if one is open (count, last value)."""

    elder_id: int
    alert_type: str  # e.g. "sos", "fall", "hr_high", "spo2_low", "news2", "inactivity", "late_wakeup", "device_offline"
    severity: Severity
    at: datetime
    rule: str  # rule id from the rules data file
    detail: dict[str, Any] = field(default_factory=dict)  # values that triggered it, no personal data


@dataclass(frozen=True, slots=True)
class DowngradeAlert:
    """A fall cancelled by the wearer or followed by movement inside the confirmation window."""

    elder_id: int
    alert_type: str
    severity: Severity
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ConditionCleared:
    """The condition behind an open alert has cleared (hysteresis); staff still close the alert."""

    elder_id: int
    alert_type: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MarkReading:
    """Store the reading with its validity (invalid readings are kept, not alerted on)."""

    reading: Reading
    valid: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    device_id: int
    at: datetime
    online: bool | None = None
    battery: int | None = None
    worn: bool | None = None


Command = RaiseAlert | DowngradeAlert | ConditionCleared | MarkReading | DeviceStatus
