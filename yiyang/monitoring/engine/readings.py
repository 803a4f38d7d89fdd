"""The canonical reading as one JSON object per line (docs/readings-format.md): parse and write."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from yiyang.monitoring.engine.contract import Kind, Quality, Reading

KINDS = frozenset(get_args(Kind))
REQUIRED = ("key", "device_id", "elder_id", "kind", "code", "value", "unit", "device_ts")


class ReadingFormatError(ValueError):
    """A line is not a canonical reading; the message says why."""


def _timestamp(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ReadingFormatError(f"{field}: expected an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReadingFormatError(f"{field}: not ISO 8601: {value!r}") from exc
    if parsed.tzinfo is None:
        raise ReadingFormatError(f"{field}: needs a UTC offset")
    return parsed


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReadingFormatError(f"{field}: expected an integer")
    return value


def reading_from_json(obj: Any) -> Reading:
    """Build a Reading from a decoded JSON object. Raises ReadingFormatError with the reason."""
    if not isinstance(obj, dict):
        raise ReadingFormatError("expected a JSON object")
    missing = [name for name in REQUIRED if name not in obj]
    if missing:
        raise ReadingFormatError(f"missing field(s): {', '.join(missing)}")
    if not isinstance(obj["key"], str) or not obj["key"]:
        raise ReadingFormatError("key: expected a non-empty string")
    if obj["kind"] not in KINDS:
        raise ReadingFormatError(f"kind: {obj['kind']!r} is not one of {sorted(KINDS)}")
    if not isinstance(obj["code"], str) or not obj["code"]:
        raise ReadingFormatError("code: expected a non-empty string")
    device_ts = _timestamp(obj["device_ts"], "device_ts")
    received = obj.get("received_ts")
    received_ts = _timestamp(received, "received_ts") if received is not None else device_ts
    quality = Quality()
    raw_quality = obj.get("quality")
    if raw_quality is not None:
        if not isinstance(raw_quality, dict):
            raise ReadingFormatError("quality: expected an object")
        unknown = set(raw_quality) - {"valid", "signal", "worn", "reason"}
        if unknown:
            raise ReadingFormatError(f"quality: unknown field(s) {', '.join(sorted(unknown))}")
        signal = raw_quality.get("signal")
        if signal is not None:
            signal = _int(signal, "quality.signal")
        quality = Quality(
            valid=bool(raw_quality.get("valid", True)),
            signal=signal,
            worn=raw_quality.get("worn"),
            reason=str(raw_quality.get("reason", "")),
        )
    return Reading(
        key=obj["key"],
        device_id=_int(obj["device_id"], "device_id"),
        elder_id=_int(obj["elder_id"], "elder_id"),
        kind=obj["kind"],
        code=obj["code"],
        value=obj["value"],
        unit=str(obj["unit"]),
        device_ts=device_ts,
        received_ts=received_ts,
        quality=quality,
    )


def reading_to_json(reading: Reading) -> dict[str, Any]:
    """The canonical JSON object of a Reading (quality only when it is not the default)."""
    out: dict[str, Any] = {
        "key": reading.key,
        "device_id": reading.device_id,
        "elder_id": reading.elder_id,
        "kind": reading.kind,
        "code": reading.code,
        "value": reading.value,
        "unit": reading.unit,
        "device_ts": reading.device_ts.isoformat(),
    }
    if reading.received_ts != reading.device_ts:
        out["received_ts"] = reading.received_ts.isoformat()
    q = reading.quality
    if q != Quality():
        out["quality"] = {"valid": q.valid, "signal": q.signal, "worn": q.worn, "reason": q.reason}
    return out
