"""Registering devices, binding them to elders and clearing the pending queue. Each service checks
the named permission, validates every field at once, writes in one transaction and audits (ids and
field names, never personal values)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, require_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.devices.adapters.parsing import _IDENTIFIER
from yiyang.devices.choices import DeviceKind, DeviceProtocol, DeviceState, PendingState
from yiyang.devices.models import Device, DeviceBinding, PendingDevice
from yiyang.elders.models import Elder, Home

EDITABLE_FIELDS = frozenset({"kind", "vendor", "model_name", "note", "state"})


@dataclass
class DeviceInput:
    kind: str
    protocol: str
    identifier: str
    vendor: str = ""
    model_name: str = ""
    note: str = ""
    street: UUID | None = None


def _street_for(user: AnyUser, street_id: UUID | None, errors: ErrorCollector) -> tuple[Area | None, int | None]:
    """The street a new device is registered in (the account's own when it has one), and its district."""
    scope = scope_for(user)
    if street_id is None:
        if scope.street_id:
            own = Area.objects.get(pk=scope.street_id)
            return own, own.district_id
        if scope.kind is ScopeKind.DISTRICT:
            return None, scope.area_id
        errors.add("street", _("请选择街道"), "required")
        return None, None
    street = Area.objects.filter(public_id=street_id, level=AreaLevel.STREET).first()
    in_reach = street is not None and (
        scope.kind is ScopeKind.ALL
        or (scope.kind is ScopeKind.DISTRICT and street.district_id == scope.area_id)
        or street.pk == scope.street_id
    )
    if street is None or not in_reach:
        errors.add("street", _("街道不存在或不在您的辖区内"), "not_found")
        return None, None
    return street, street.district_id


def _check(data: DeviceInput, errors: ErrorCollector) -> None:
    data.identifier = (data.identifier or "").strip()
    if data.kind not in DeviceKind.values:
        errors.add("kind", _("设备类型无效"), "invalid_choice")
    if data.protocol not in DeviceProtocol.values:
        errors.add("protocol", _("接入协议无效"), "invalid_choice")
    if not _IDENTIFIER.match(data.identifier):
        errors.add("identifier", _("设备号应为4-64位字母、数字或 : . _ -"), "invalid")
    elif data.protocol == DeviceProtocol.IW_TCP and not data.identifier.isdigit():
        errors.add("identifier", _("IW 手表的设备号是15位 IMEI"), "invalid")


@transaction.atomic
def device_register(*, actor: AnyUser, data: DeviceInput, pending: PendingDevice | None = None) -> Device:
    """Register a device in the account's area (or the chosen street). The identifier is unique per
    protocol; a pending entry with the same identifier is marked registered."""
    require_perm(actor, Perm.DEVICES_MANAGE)
    errors = ErrorCollector()
    _check(data, errors)
    street, district_id = _street_for(actor, data.street, errors)
    if not errors.errors and Device.objects.filter(protocol=data.protocol, identifier=data.identifier).exists():
        errors.add("identifier", _("该设备号已登记"), "unique")
    errors.raise_if_any(_("设备信息有误"))
    assert district_id is not None  # no error was collected, so the street or scope gave one
    device = Device(
        kind=data.kind,
        protocol=data.protocol,
        identifier=data.identifier,
        vendor=data.vendor.strip(),
        model_name=data.model_name.strip(),
        note=data.note.strip(),
        street=street,
        district_id=district_id,
        registered_by=actor if actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise ValidationFailed.single("identifier", _("该设备号已登记"), "unique") from None
    PendingDevice.objects.filter(protocol=data.protocol, identifier=data.identifier).update(
        state=PendingState.REGISTERED
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="device",
        entity_id=str(device.public_id),
        summary=f"登记设备 {device.kind}",
        district=district_id,
    )
    return device


@transaction.atomic
def device_update(*, actor: AnyUser, device: Device, changes: dict[str, Any]) -> Device:
    require_perm(actor, Perm.DEVICES_MANAGE)
    errors = ErrorCollector()
    for name in changes:
        if name not in EDITABLE_FIELDS:
            errors.add(name, _("不可修改"), "read_only")
    if "kind" in changes and changes["kind"] not in DeviceKind.values:
        errors.add("kind", _("设备类型无效"), "invalid_choice")
    if "state" in changes and changes["state"] not in DeviceState.values:
        errors.add("state", _("状态无效"), "invalid_choice")
    errors.raise_if_any(_("设备信息有误"))
    changed = [name for name, value in changes.items() if getattr(device, name) != value]
    for name in changed:
        setattr(device, name, changes[name].strip() if isinstance(changes[name], str) else changes[name])
    if changed:
        device.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            entity_type="device",
            entity_id=str(device.public_id),
            summary="修改设备",
            fields=changed,
            district=device.district_id,
        )
    return device


@transaction.atomic
def device_bind(
    *,
    actor: AnyUser,
    device: Device,
    elder: Elder,
    home: Home | None = None,
    location: str = "",
    at: datetime | None = None,
) -> DeviceBinding:
    """Bind the device to the elder (and home, by default the elder's). The elder must have agreed
    to monitoring; a device already bound must be unbound first."""
    require_perm(actor, Perm.DEVICES_MANAGE)
    errors = ErrorCollector()
    if not elder.monitoring_consent:
        errors.add("elder", _("老年人未同意智能监测，不能绑定设备"), "no_consent")
    if device.state != DeviceState.ACTIVE:
        errors.add("device", _("设备已停用"), "retired")
    if DeviceBinding.objects.filter(device=device, until__isnull=True).exists():
        errors.add("device", _("设备已绑定，请先解绑"), "already_bound")
    errors.raise_if_any(_("不能绑定"))
    binding = DeviceBinding(
        device=device,
        elder=elder,
        home=home or elder.home,
        location=location.strip()[:64],
        since=at or timezone.now(),
        bound_by=actor if actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            binding.save()
    except IntegrityError:
        raise ValidationFailed.single("device", _("设备已绑定，请先解绑"), "already_bound") from None
    device.save(update_fields=["updated_at"])  # the intake binding map reloads on this
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="device_binding",
        entity_id=str(binding.public_id),
        summary=f"绑定设备 {device.public_id} 至老年人 {elder.public_id}",
        district=elder.district_id,
    )
    return binding


@transaction.atomic
def device_unbind(*, actor: AnyUser, device: Device, at: datetime | None = None) -> DeviceBinding:
    require_perm(actor, Perm.DEVICES_MANAGE)
    binding = DeviceBinding.objects.select_for_update().filter(device=device, until__isnull=True).first()
    if binding is None:
        raise ValidationFailed.single("device", _("设备未绑定"), "not_bound")
    binding.until = at or timezone.now()
    binding.unbound_by = actor if actor.is_authenticated else None
    binding.save(update_fields=["until", "unbound_by", "updated_at"])
    device.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="device_binding",
        entity_id=str(binding.public_id),
        summary=f"解绑设备 {device.public_id}",
        fields=["until"],
        district=device.district_id,
    )
    return binding


def pending_device_register(
    *, actor: AnyUser, pending: PendingDevice, kind: str, street: UUID | None = None, vendor: str = ""
) -> Device:
    """Register a held identifier as a device (its later messages are then accepted)."""
    if (
        pending.state == PendingState.REGISTERED
        or Device.objects.filter(protocol=pending.protocol, identifier=pending.identifier).exists()
    ):
        raise ValidationFailed.single("identifier", _("该设备号已登记"), "unique")
    return device_register(
        actor=actor,
        data=DeviceInput(
            kind=kind,
            protocol=pending.protocol,
            identifier=pending.identifier,
            vendor=vendor or pending.vendor,
            street=street,
        ),
    )


@transaction.atomic
def pending_device_ignore(*, actor: AnyUser, pending: PendingDevice) -> PendingDevice:
    require_perm(actor, Perm.DEVICES_MANAGE)
    pending.state = PendingState.IGNORED
    pending.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="pending_device",
        entity_id=str(pending.public_id),
        summary="忽略未登记设备",
        fields=["state"],
        district=scope_for(actor).district_id,
    )
    return pending
