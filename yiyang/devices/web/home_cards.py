"""The devices domain's home card: devices waiting to be registered, devices offline and messages that
could not be decoded, for staff with an area scope."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AREA_KINDS, AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.core.workspace import CardLink, HomeCard, register_home_card
from yiyang.devices.selectors import can_see_queues, device_attention_counts


@register_home_card("devices.attention", order=50)
def devices_attention_card(user: AnyUser) -> HomeCard | None:
    """Pending devices to bind, offline devices and undecodable messages in reach, with links to the
    device pages; accounts with `devices.view` and an area (or whole-platform) scope only."""
    kind = scope_for(user).kind
    if not has_perm(user, Perm.DEVICES_VIEW) or not (kind in AREA_KINDS or kind is ScopeKind.ALL):
        return None
    counts = device_attention_counts(user=user)
    queues = can_see_queues(user)
    rows = [{"key": "offline", "label": _("离线设备"), "count": counts["offline"]}]
    links = [CardLink(_("离线设备"), reverse("device-list") + "?online=0")]
    if queues:
        rows = [
            {"key": "pending", "label": _("待登记设备"), "count": counts["pending"]},
            *rows,
            {"key": "undecodable", "label": _("无法解析的消息"), "count": counts["undecodable"]},
        ]
        links = [
            CardLink(_("待登记设备"), reverse("pending-device-list")),
            *links,
            CardLink(_("无法解析的消息"), reverse("dead-letter-list")),
        ]
    return HomeCard(
        key="devices.attention",
        title=_("需要处理的设备"),
        template="devices/cards/attention.html",
        data={"rows": rows},
        empty=not any(row["count"] for row in rows),
        empty_hint=_("设备都在线，没有待登记的设备。新设备接入后会在这里提示登记和绑定。"),
        links=tuple(links),
    )
