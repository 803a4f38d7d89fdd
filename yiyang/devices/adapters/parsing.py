"""Pure parse functions: device message in, `ParsedReading`s out, or `Malformed(reason)`.

A `ParsedReading` still names its device by identifier; `intake_log.resolve` turns it into the
canonical `Reading` (device and elder ids, idempotency key) with the binding map. Only physical
possibility is judged here (`PHYSICAL_RANGES`: a heart rate of 1e308 or -5 is a broken message, kept
as a dead letter); clinically out-of-range and future-dated values pass to the engine, which marks
them invalid by the district's rules. Formats are documented in docs/devices.md.
"""

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from yiyang.monitoring.engine import contract as c

MAX_PAYLOAD = 256 * 1024


class Malformed(Exception):
    """The message cannot be read; `reason` says why (kept with the raw message as a dead letter)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class ParsedReading:
    identifier: str
    kind: c.Kind
    code: str
    value: Any
    unit: str
    device_ts: datetime | None  # None: the device sent no time; the receive time is used
    message_id: str = ""  # a device-provided id, when there is one; else the key uses device_ts
    quality: c.Quality = field(default_factory=c.Quality)


# Short names accepted in MQTT and push payloads, and the LOINC/internal codes they stand for.
FIELDS: dict[str, tuple[c.Kind, str, str]] = {
    "hr": ("vital", c.HEART_RATE, "/min"),
    "rr": ("vital", c.RESPIRATORY_RATE, "/min"),
    "temp": ("vital", c.BODY_TEMPERATURE, "Cel"),
    "spo2": ("vital", c.SPO2, "%"),
    "sbp": ("vital", c.SYSTOLIC_BP, "mm[Hg]"),
    "dbp": ("vital", c.DIASTOLIC_BP, "mm[Hg]"),
    "bed": ("state", c.BED_OCCUPANCY, ""),
    "motion": ("activity", c.MOTION, ""),
    "door": ("activity", c.DOOR, ""),
    "sos": ("alarm", c.ALARM_SOS, ""),
    "fall": ("alarm", c.ALARM_FALL, ""),
    "fall_cancel": ("alarm", c.ALARM_FALL_CANCEL, ""),
    "not_worn": ("alarm", c.ALARM_NOT_WORN, ""),
    "heartbeat": ("tech", c.HEARTBEAT, ""),
    "battery": ("tech", c.BATTERY, "%"),
    "worn": ("tech", c.WORN, ""),
}
CODES = {code: (kind, code, unit) for kind, code, unit in FIELDS.values()}
SHORT_NAMES = {code: name for name, (_, code, _) in FIELDS.items()}
NUMERIC_CODES = frozenset(
    {c.HEART_RATE, c.RESPIRATORY_RATE, c.BODY_TEMPERATURE, c.SPO2, c.SYSTOLIC_BP, c.DIASTOLIC_BP, c.BATTERY}
)
TEXT_VALUES = {c.BED_OCCUPANCY: {"in", "out"}, c.DOOR: {"open", "closed"}}
# Engineering plausibility bounds (inclusive), NOT clinical thresholds: what a sensor on a living
# person can report at all (beyond the extremes ever recorded in people: heart rate ~480/min, body
# temperature 14-47 °C). Outside them the message is malformed (a dead letter with the reason).
# They are deliberately wider than the engine's validity ranges (monitoring/engine/data/rules.yaml),
# so a merely implausible reading (heart rate 350) is still stored and marked invalid there.
# 0 is allowed where devices send it for "nothing measured" (an empty bed reports heart rate 0).
PHYSICAL_RANGES: dict[str, tuple[float, float]] = {
    c.HEART_RATE: (0, 600),  # /min
    c.RESPIRATORY_RATE: (0, 200),  # /min
    c.BODY_TEMPERATURE: (0, 50),  # °C; 0 is what some watches send when they measured nothing
    c.SPO2: (0, 100),  # %
    c.SYSTOLIC_BP: (0, 400),  # mmHg
    c.DIASTOLIC_BP: (0, 300),  # mmHg
    c.BATTERY: (0, 100),  # %
}


class Implausible(Malformed):
    """A number no sensor on a living person can report (or not a finite number at all)."""


def plausible(code: str, value: float, name: str) -> float:
    """`value` if it is a finite number within PHYSICAL_RANGES for `code`, else Implausible naming
    `name` and the range."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Implausible(f"{name}: not a number")
    bounds = PHYSICAL_RANGES.get(code)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise Implausible(f"{name}: {value:g} outside the physical range {bounds[0]:g}-{bounds[1]:g}")
    return value


def _alarms_survive(found: list["ParsedReading"], dropped: list[Implausible]) -> list["ParsedReading"]:
    """The readings of a message some of whose values were implausible. An alarm (fall, SOS) in it
    still counts: a glitched vital (65535 is a common "no value" code) must never cost an elder their
    fall alert, so the implausible readings alone are left out. Without an alarm the whole message is
    malformed, as before: a dead letter naming the first implausible value."""
    if dropped and not any(reading.kind == "alarm" for reading in found):
        raise dropped[0]
    return found


def parse_time(value: Any, *, what: str = "ts") -> datetime:
    """Epoch milliseconds (numbers above 10^11), epoch seconds, or ISO 8601 with an offset."""
    if isinstance(value, bool):
        raise Malformed(f"{what}: not a time")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise Malformed(f"{what}: not a time")
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise Malformed(f"{what}: out of range") from None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Malformed(f"{what}: not ISO 8601") from None
        if moment.tzinfo is None:
            raise Malformed(f"{what}: no time zone")
        return moment.astimezone(UTC)
    raise Malformed(f"{what}: not a time")


def _value(code: str, raw: Any, name: str) -> Any:
    if code in NUMERIC_CODES:
        return plausible(code, raw, name)
    if code in TEXT_VALUES:
        if raw not in TEXT_VALUES[code]:
            raise Malformed(f"{name}: expected one of {sorted(TEXT_VALUES[code])}")
        return raw
    if code == c.MOTION:
        if not isinstance(raw, str) or not raw or len(raw) > 64:
            raise Malformed(f"{name}: expected a room name")
        return raw
    if code == c.WORN:
        if not isinstance(raw, bool):
            raise Malformed(f"{name}: expected true or false")
        return raw
    if code in (c.ALARM_SOS, c.ALARM_FALL, c.ALARM_FALL_CANCEL, c.ALARM_NOT_WORN, c.HEARTBEAT):
        return None
    raise Malformed(f"{name}: unknown")


def _values(
    identifier: str, values: Any, device_ts: datetime | None, message_id: str, quality: c.Quality
) -> list[ParsedReading]:
    if not isinstance(values, dict) or not values:
        raise Malformed("values: expected a non-empty object")
    found = []
    dropped: list[Implausible] = []
    for name, raw in values.items():
        spec = FIELDS.get(name) or CODES.get(name)
        if spec is None:
            raise Malformed(f"{name}: unknown field")
        kind, code, unit = spec
        if kind == "alarm" and raw is False:
            continue  # "sos": false is no alarm
        try:
            value = _value(code, raw, name)
        except Implausible as exc:
            dropped.append(exc)
            continue
        found.append(ParsedReading(identifier, kind, code, value, unit, device_ts, message_id, quality))
    return _alarms_survive(found, dropped)


# ------------------------------------------------------------------------------------------- MQTT
# Topic: yiyang/<district code>/<device kind>/<identifier>/<message kind>
TOPIC_PREFIX = "yiyang"
MESSAGE_KINDS = frozenset({"telemetry", "alarm", "status"})
_IDENTIFIER = re.compile(r"^[A-Za-z0-9:._-]{4,64}$")


@dataclass(frozen=True, slots=True)
class Topic:
    district: str
    device_kind: str
    identifier: str
    message_kind: str


@functools.lru_cache(maxsize=65_536)  # a district's topics repeat: one per device and message kind
def parse_topic(topic: str) -> Topic:
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != TOPIC_PREFIX:
        raise Malformed("topic: expected yiyang/<district>/<device_kind>/<identifier>/<kind>")
    _, district, device_kind, identifier, message_kind = parts
    if not _IDENTIFIER.match(identifier):
        raise Malformed("topic: bad identifier")
    if message_kind not in MESSAGE_KINDS:
        raise Malformed(f"topic: kind must be one of {sorted(MESSAGE_KINDS)}")
    return Topic(district, device_kind, identifier, message_kind)


PLAIN_QUALITY = c.Quality()  # shared by every reading that reports no signal or wear


def _quality(entry: dict[str, Any]) -> c.Quality:
    signal = entry.get("signal")
    worn = entry.get("worn_now")
    if signal is not None and (isinstance(signal, bool) or not isinstance(signal, int) or not 0 <= signal <= 100):
        raise Malformed("signal: expected 0-100")
    if signal is None and not isinstance(worn, bool):
        return PLAIN_QUALITY
    return c.Quality(signal=signal, worn=worn if isinstance(worn, bool) else None)


def parse_mqtt(topic: str, payload: bytes | str) -> list[ParsedReading]:
    """One MQTT message. Payload forms: `{"ts": <ms>, "values": {...}}` (optional `"id"`,
    `"signal"`), an array of those (a buffered flush), or a flat `{"hr": 72, ...}` (no time)."""
    where = parse_topic(topic)
    if len(payload) > MAX_PAYLOAD:
        raise Malformed("payload: too large")
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise Malformed("payload: not JSON") from None
    entries = data if isinstance(data, list) else [data]
    if not entries:
        raise Malformed("payload: empty array")
    found: list[ParsedReading] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise Malformed("payload: expected an object or an array of objects")
        if "values" in entry:
            ts = parse_time(entry["ts"]) if "ts" in entry else None
            message_id = str(entry.get("id", ""))[:40]
            found += _values(where.identifier, entry["values"], ts, message_id, _quality(entry))
        else:
            found += _values(where.identifier, entry, None, "", PLAIN_QUALITY)
    return found


# ------------------------------------------------------------------------------ HTTP vendor pushes
PUSH_VENDORS = frozenset({"radar", "mattress"})


def _push_identifier(data: dict[str, Any], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and _IDENTIFIER.match(value):
            return value
    raise Malformed(f"{'/'.join(names)}: missing or bad device identifier")


def parse_http_push(vendor: str, data: Any) -> list[ParsedReading]:
    """A vendor cloud's JSON push.

    `radar` (bio-radar, every 5-15 s): `{"mac", "time", "msgId"?, "heartRate", "breath", "bedStatus"
    (1 in bed, 0 out), "signal" 0-100, "warnType"? (14 = fall)}`.
    `mattress` (WiSleep-style): `{"device", "records": [{"ts", "status" (4 valid reading, 1 out of
    bed, 0 no signal), "bpm", "rpm", "signal": "64/100"}]}`.
    """
    if vendor not in PUSH_VENDORS:
        raise Malformed(f"vendor: unknown ({vendor})")
    if not isinstance(data, dict):
        raise Malformed("body: expected a JSON object")
    if vendor == "radar":
        return _parse_radar(data)
    return _parse_mattress(data)


def _parse_radar(data: dict[str, Any]) -> list[ParsedReading]:
    identifier = _push_identifier(data, "mac", "sn")
    if "time" not in data:
        raise Malformed("time: missing")
    ts = parse_time(data["time"], what="time")
    message_id = str(data.get("msgId", ""))[:40]
    signal = data.get("signal")
    if signal is not None and (isinstance(signal, bool) or not isinstance(signal, int) or not 0 <= signal <= 100):
        raise Malformed("signal: expected 0-100")
    bed = data.get("bedStatus")
    if bed not in (None, 0, 1):
        raise Malformed("bedStatus: expected 0 or 1")
    quality = c.Quality(signal=signal)
    found: list[ParsedReading] = []
    dropped: list[Implausible] = []
    if bed is not None:
        found.append(ParsedReading(identifier, "state", c.BED_OCCUPANCY, "in" if bed else "out", "", ts, message_id))
    for name, code in (("heartRate", c.HEART_RATE), ("breath", c.RESPIRATORY_RATE)):
        if data.get(name) is not None:
            try:
                value = _value(code, data[name], name)
            except Implausible as exc:
                dropped.append(exc)
                continue
            if bed == 0:
                # An empty bed reports zeros: kept, and marked so the engine does not alert on them.
                found.append(
                    ParsedReading(identifier, "vital", code, value, "/min", ts, message_id,
                                  c.Quality(valid=False, signal=signal, reason="empty_bed"))
                )  # fmt: skip
            else:
                found.append(ParsedReading(identifier, "vital", code, value, "/min", ts, message_id, quality))
    warn = data.get("warnType")
    if warn is not None:
        if isinstance(warn, bool) or not isinstance(warn, int):
            raise Malformed("warnType: expected a number")
        if warn == 14:
            found.append(ParsedReading(identifier, "alarm", c.ALARM_FALL, None, "", ts, message_id))
    found.append(ParsedReading(identifier, "tech", c.HEARTBEAT, None, "", ts, message_id))
    return _alarms_survive(found, dropped)


def _ratio(value: Any, name: str) -> int | None:
    if value is None:
        return None
    match = re.fullmatch(r"(\d{1,3})/100", str(value))
    if not match:
        raise Malformed(f"{name}: expected n/100")
    return int(match.group(1))


def _parse_mattress(data: dict[str, Any]) -> list[ParsedReading]:
    identifier = _push_identifier(data, "device", "sn")
    records = data.get("records")
    if not isinstance(records, list) or not records:
        raise Malformed("records: expected a non-empty array")
    found: list[ParsedReading] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise Malformed(f"records[{index}]: expected an object")
        if "ts" not in record:
            raise Malformed(f"records[{index}].ts: missing")
        ts = parse_time(record["ts"], what=f"records[{index}].ts")
        status = record.get("status")
        if status not in (0, 1, 4):
            raise Malformed(f"records[{index}].status: expected 0, 1 or 4")
        signal = _ratio(record.get("signal"), f"records[{index}].signal")
        if status == 1:
            found.append(ParsedReading(identifier, "state", c.BED_OCCUPANCY, "out", "", ts))
            continue
        found.append(ParsedReading(identifier, "state", c.BED_OCCUPANCY, "in", "", ts))
        quality = c.Quality(signal=signal) if status == 4 else c.Quality(False, signal, None, "poor_signal")
        for name, code in (("bpm", c.HEART_RATE), ("rpm", c.RESPIRATORY_RATE)):
            if record.get(name) is not None:
                found.append(ParsedReading(identifier, "vital", code, _value(code, record[name], name), "/min", ts,
                                           "", quality))  # fmt: skip
    return found


# ------------------------------------------------------------------------------------- IW watches
IW_ALARMS: dict[str, str] = {"01": c.ALARM_SOS, "05": c.ALARM_FALL, "06": c.ALARM_FALL, "03": c.ALARM_NOT_WORN}
_IW_FRAME = re.compile(r"^IW(AP[0-9A-Z]{2})(.*)#$", re.DOTALL)
_IW_LOCATION = re.compile(
    r"^(?P<date>\d{6})(?P<fix>[AV])(?P<lat>\d{4}\.\d{4})[NS](?P<lon>\d{5}\.\d{4})[EW](?P<speed>\d{3}\.\d)"
    r"(?P<time>\d{6})(?P<dir>\d{3}\.\d{2})(?P<status>\d*)$"
)


@dataclass(frozen=True, slots=True)
class IWFrame:
    command: str  # e.g. "AP00"
    imei: str  # the connection's watch (from AP00, or the one given)
    readings: list[ParsedReading]
    ack: str  # the reply to send, "" for none


def _num(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Malformed(f"{name}: not a number") from None
    if not math.isfinite(value):
        raise Malformed(f"{name}: not a number")
    return int(value) if value.is_integer() else value


def _fields(payload: str, count: int, command: str) -> list[str]:
    if not payload.startswith(","):
        raise Malformed(f"{command}: expected ,<fields>")
    parts = payload[1:].split(",")
    if len(parts) < count:
        raise Malformed(f"{command}: expected {count} fields")
    return parts


def parse_iw_frame(text: str, *, imei: str = "", now: datetime) -> IWFrame:
    """One `IW<CMD><payload>#` frame from a watch. Every frame but AP00 needs the connection's IMEI
    (`imei`, from its login). The reply (`ack`) is what the server must send back; see docs."""
    match = _IW_FRAME.match(text.strip())
    if not match:
        raise Malformed("frame: expected IW<CMD>...#")
    command, payload = match.groups()
    if command == "AP00":
        if not re.fullmatch(r"\d{15}", payload):
            raise Malformed("AP00: expected a 15-digit IMEI")
        readings = [ParsedReading(payload, "tech", c.HEARTBEAT, None, "", None)]
        return IWFrame(command, payload, readings, f"IWBP00,{now.astimezone(UTC):%Y%m%d%H%M%S},8#")
    if not imei:
        raise Malformed(f"{command}: no login (AP00) on this connection")

    def vital(code: str, value: float, unit: str) -> ParsedReading:
        return ParsedReading(imei, "vital", code, plausible(code, value, SHORT_NAMES.get(code, code)), unit, None)

    if command == "AP03":
        parts = _fields(payload, 1, command)
        status = parts[0]
        if not re.fullmatch(r"\d{7,}", status):
            raise Malformed("AP03: bad status block")
        battery = plausible(c.BATTERY, int(status[4:7]), "battery")
        return IWFrame(command, imei, [ParsedReading(imei, "tech", c.HEARTBEAT, None, "", None),
                                        ParsedReading(imei, "tech", c.BATTERY, battery, "%", None)], "IWBP03#")  # fmt: skip
    if command == "AP49":
        (hr, *_) = _fields(payload, 1, command)
        return IWFrame(command, imei, [vital(c.HEART_RATE, _num(hr, "hr"), "/min")], "IWBP49#")
    if command == "APHT":
        hr, sbp, dbp, *_ = _fields(payload, 3, command)
        readings = [
            vital(c.HEART_RATE, _num(hr, "hr"), "/min"),
            vital(c.SYSTOLIC_BP, _num(sbp, "sbp"), "mm[Hg]"),
            vital(c.DIASTOLIC_BP, _num(dbp, "dbp"), "mm[Hg]"),
        ]
        return IWFrame(command, imei, readings, "IWBPHT#")
    if command == "APHP":
        # HR, SBP, DBP, SpO2, blood sugar, temperature; a 0 is a value the watch did not measure.
        hr, sbp, dbp, spo2, _sugar, temp, *_ = _fields(payload, 6, command)
        measured = [
            (c.HEART_RATE, _num(hr, "hr"), "/min"),
            (c.SYSTOLIC_BP, _num(sbp, "sbp"), "mm[Hg]"),
            (c.DIASTOLIC_BP, _num(dbp, "dbp"), "mm[Hg]"),
            (c.SPO2, _num(spo2, "spo2"), "%"),
            (c.BODY_TEMPERATURE, _num(temp, "temp"), "Cel"),
        ]
        return IWFrame(command, imei, [vital(code, value, unit) for code, value, unit in measured if value], "IWBPHP#")
    if command == "AP50":
        temp, battery_text, *_ = _fields(payload, 2, command)
        readings = [
            vital(c.BODY_TEMPERATURE, _num(temp, "temp"), "Cel"),
            ParsedReading(
                imei, "tech", c.BATTERY, plausible(c.BATTERY, _num(battery_text, "battery"), "battery"), "%", None
            ),
        ]
        return IWFrame(command, imei, readings, "IWBP50#")
    if command == "AP10":
        parts = [*payload.split(","), ""]
        location, code = parts[0], parts[1]
        located = _IW_LOCATION.match(location)
        if not located or not re.fullmatch(r"\d{2}", code):
            raise Malformed("AP10: expected <location block>,<alarm code>,...")
        try:
            ts = datetime.strptime(located["date"] + located["time"], "%d%m%y%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            raise Malformed("AP10: bad date or time") from None
        alarm = IW_ALARMS.get(code)
        readings = [ParsedReading(imei, "alarm", alarm, None, "", ts, f"ap10-{code}")] if alarm else []
        return IWFrame(command, imei, readings, "IWBP10#")
    # Other frames (location AP01, steps, …) are acknowledged with the matching BP and carry no reading.
    return IWFrame(command, imei, [], f"IWBP{command[2:]}#")
