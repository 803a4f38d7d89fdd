"""Demo devices for `yiyang simulate`, and the mapping of simulated canonical readings back to the
messages real devices would send (so the simulation exercises every adapter)."""

import json
from datetime import datetime
from typing import Any

from django.utils import timezone

from yiyang.devices.choices import DeviceKind, DeviceProtocol
from yiyang.devices.models import Device, DeviceBinding
from yiyang.elders.models import Elder
from yiyang.monitoring.engine import contract as c


def demo_identifiers(elder_pk: int) -> dict[str, str]:
    return {"watch": f"86{elder_pk:013d}", "mattress": f"SIM-MAT-{elder_pk}", "door": f"sim-door-{elder_pk}"}


def demo_devices_ensure(n_elders: int) -> list[tuple[Elder, dict[str, str]]]:
    """For the first `n_elders` elders who agreed to monitoring: a watch (IW/TCP), a mattress (HTTP
    push) and a door sensor (MQTT), registered and bound, made if missing."""
    elders = list(Elder.objects.filter(monitoring_consent=True).select_related("home").order_by("pk")[:n_elders])
    out = []
    for elder in elders:
        ids = demo_identifiers(elder.pk)
        for key, kind, protocol in (
            ("watch", DeviceKind.WATCH, DeviceProtocol.IW_TCP),
            ("mattress", DeviceKind.MATTRESS, DeviceProtocol.HTTP_RADAR),
            ("door", DeviceKind.DOOR_SENSOR, DeviceProtocol.MQTT_JSON),
        ):
            device, _ = Device.objects.get_or_create(
                protocol=protocol,
                identifier=ids[key],
                defaults={
                    "kind": kind,
                    "vendor": "simulator",
                    "district_id": elder.district_id,
                    "street_id": elder.street_id,
                },
            )
            if not DeviceBinding.objects.filter(device=device, until__isnull=True).exists():
                DeviceBinding.objects.create(device=device, elder=elder, home=elder.home, since=timezone.now())
                device.save(update_fields=["updated_at"])
        out.append((elder, ids))
    return out


# The simulator numbers an elder's devices elder*10 + 1 (watch), + 2 (bed), + 3 (door), + 4… (rooms).
def to_wire(reading: c.Reading, ids: dict[str, str], district: str, at: datetime) -> tuple[str, Any] | None:
    """("tcp", frame) | ("http", (vendor, body)) | ("mqtt", (topic, payload)) for one simulated reading."""
    code, value = reading.code, reading.value
    ms = int(at.timestamp() * 1000)
    if code in (c.ALARM_SOS, c.ALARM_FALL, c.ALARM_NOT_WORN):
        alarm = {c.ALARM_SOS: "01", c.ALARM_FALL: "05", c.ALARM_NOT_WORN: "03"}[code]
        stamp = at.strftime("%d%m%y") + "A2232.9806N11404.9355E000.1" + at.strftime("%H%M%S") + "323.8706000908000102"
        return "tcp", f"IWAP10{stamp},{alarm},zh_cn,00#"
    if code == c.ALARM_FALL_CANCEL:
        return "mqtt", (
            f"yiyang/{district}/door_sensor/{ids['door']}/alarm",
            json.dumps({"ts": ms, "values": {"fall_cancel": True}}),
        )
    if (code in (c.HEART_RATE, c.RESPIRATORY_RATE) and reading.device_id % 10 == 2) or code == c.BED_OCCUPANCY:
        record: dict[str, Any] = {"ts": ms, "status": 1 if value == "out" else 4}
        if code == c.HEART_RATE:
            record["bpm"] = value
        elif code == c.RESPIRATORY_RATE:
            record["rpm"] = value
        return "http", ("mattress", {"device": ids["mattress"], "records": [record]})
    if code == c.HEART_RATE:
        return "tcp", f"IWAP49,{value}#"
    if code == c.BODY_TEMPERATURE:
        return "tcp", f"IWAP50,{value},80#"
    if code == c.SPO2:
        return "tcp", f"IWAPHP,0,0,0,{value},0,0#"
    if code in (c.MOTION, c.DOOR):
        name = "motion" if code == c.MOTION else "door"
        return "mqtt", (
            f"yiyang/{district}/door_sensor/{ids['door']}/telemetry",
            json.dumps({"ts": ms, "values": {name: value}}),
        )
    if code == c.HEARTBEAT:
        return "tcp", "IWAP03,06000808000102,100,0#"
    return None
