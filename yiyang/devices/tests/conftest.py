from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from yiyang.core.testing import World
from yiyang.devices.models import Device, DeviceBinding

IMEI = "353456789012345"
MAC = "AA:BB:CC:00:11:22"
MATTRESS = "WS-0001"
MQTT_ID = "door-0001"


@dataclass
class Kit:
    world: World
    elder: Any
    watch: Device
    radar: Device
    mattress: Device
    door: Device


def make_device(world: World, street: int, kind: str, protocol: str, identifier: str) -> Device:
    return Device.objects.create(
        kind=kind, protocol=protocol, identifier=identifier, district=world.district, street=world.streets[street]
    )


def bind(device: Device, elder: Any) -> DeviceBinding:
    return DeviceBinding.objects.create(device=device, elder=elder, home=elder.home, since=timezone.now())


@pytest.fixture
def kit(world: World) -> Kit:
    """elder0 (street 0) agreed to monitoring and wears a watch, sleeps on a mattress under a radar,
    and has a door sensor; all bound."""
    elder = world.elders["elder0"]
    elder.monitoring_consent = True
    elder.save(update_fields=["monitoring_consent"])
    devices = {
        "watch": make_device(world, 0, "watch", "iw_tcp", IMEI),
        "radar": make_device(world, 0, "fall_radar", "http_radar", MAC),
        "mattress": make_device(world, 0, "mattress", "http_radar", MATTRESS),
        "door": make_device(world, 0, "door_sensor", "mqtt_json", MQTT_ID),
    }
    for device in devices.values():
        bind(device, elder)
    return Kit(world, elder, **devices)
