"""Writes of the devices app: `registry` (devices, bindings, pending queue) and `intake` (HTTP push,
reading storage maintenance)."""

from yiyang.devices.services.intake import (
    PushOutcome,
    intake_log,
    push_ingest,
    push_secret_ok,
    push_secrets,
    readings_partitions_ensure,
    readings_retention_apply,
)
from yiyang.devices.services.registry import (
    EDITABLE_FIELDS,
    DeviceInput,
    device_bind,
    device_register,
    device_unbind,
    device_update,
    pending_device_ignore,
    pending_device_register,
)

__all__ = [
    "EDITABLE_FIELDS",
    "DeviceInput",
    "PushOutcome",
    "device_bind",
    "device_register",
    "device_unbind",
    "device_update",
    "intake_log",
    "pending_device_ignore",
    "pending_device_register",
    "push_ingest",
    "push_secret_ok",
    "push_secrets",
    "readings_partitions_ensure",
    "readings_retention_apply",
]
