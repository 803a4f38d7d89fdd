"""The 监测设备 section of the elder profile (the devices bound to the elder now) and the devices'
timeline entries (bound, unbound)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, has_perm
from yiyang.accounts.permissions import Perm
from yiyang.core.workspace import (
    AuditedRows,
    CardLink,
    ProfileSection,
    TimelineEntry,
    register_profile_section,
    register_timeline_source,
)
from yiyang.devices.selectors import elder_device_bindings
from yiyang.elders.access import elder_shown_with
from yiyang.elders.models import Elder


@register_profile_section("devices.bound", order=70)
def bound_devices_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """The elder's bound devices (type, model and identifier, location, online state and last report,
    battery) for viewers with `devices.view` who reach the elder; None otherwise. Empty: says there is none and what to
    do, with the link to the device pages for those who may bind devices."""
    if not elder_shown_with(user=user, elder=elder, perm=Perm.DEVICES_VIEW):
        return None
    bindings = list(elder_device_bindings(user=user, elder=elder, current_only=True))
    can_manage = has_perm(user, Perm.DEVICES_MANAGE)
    if can_manage:
        hint = _("未绑定监测设备。请在“监测设备”中登记设备，再绑定到这位老人。")
    else:
        hint = _("未绑定监测设备。如老人同意智能监测，请联系街道或服务站点登记并绑定设备。")
    links = [CardLink(_("监测设备"), reverse("device-list"))] if can_manage else []
    return ProfileSection(
        key="devices.bound",
        title=_("监测设备"),
        template="devices/sections/bound.html",
        data={"bindings": bindings, "links": links},
        empty=not bindings,
        empty_hint=hint,
        shown=(AuditedRows("device", [b.device for b in bindings]),),
    )


@register_timeline_source("devices", order=70)
def device_timeline(user: AnyUser, elder: Elder, limit: int) -> list[TimelineEntry]:
    """Each binding's start and end, for viewers with `devices.view` who reach the elder."""
    entries: list[TimelineEntry] = []
    for binding in elder_device_bindings(user=user, elder=elder)[:limit]:
        device = binding.device
        url = reverse("device-detail", kwargs={"public_id": device.public_id})
        what = f"{device.get_kind_display()} {device.identifier}"
        detail = f"{what} · {binding.location}" if binding.location else what
        common: dict[str, Any] = {
            "source": "devices",
            "detail": detail,
            "url": url,
            "entity_type": "device",
            "record": device,
        }
        entries.append(TimelineEntry(**common, at=binding.since, title=_("绑定设备")))
        if binding.until:
            entries.append(TimelineEntry(**common, at=binding.until, title=_("解绑设备")))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
