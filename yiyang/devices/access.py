from uuid import UUID

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.core.errors import Forbidden
from yiyang.devices.errors import DeviceNotFound, PendingDeviceNotFound
from yiyang.devices.models import Device, PendingDevice
from yiyang.devices.selectors import can_see_queues, device_get, devices_in_reach, pending_device_list


def _uuid(public_id: UUID | str) -> UUID | None:
    try:
        return UUID(str(public_id))
    except ValueError:
        return None


def access_device_by_public_id(*, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.DEVICES_VIEW) -> Device:
    """The device if in reach, else DeviceNotFound (missing and out of reach alike); Forbidden when
    it is in reach but `perm` is missing."""
    key = _uuid(public_id)
    if key is None or not devices_in_reach(user=user).filter(public_id=key).exists():
        raise DeviceNotFound
    device = device_get(public_id=key)
    if device is None:
        raise DeviceNotFound
    if perm is not Perm.DEVICES_VIEW:
        require_perm(user, perm)
    return device


def access_pending_device_by_public_id(*, user: AnyUser, public_id: UUID | str) -> PendingDevice:
    key = _uuid(public_id)
    if not can_see_queues(user):
        if key is not None and PendingDevice.objects.filter(public_id=key).exists():
            raise Forbidden
        raise PendingDeviceNotFound
    found = None if key is None else pending_device_list(user=user, state="").filter(public_id=key).first()
    if found is None:
        raise PendingDeviceNotFound
    return found
