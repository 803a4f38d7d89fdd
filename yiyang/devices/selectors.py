"""Reads of the device registry. A device is in reach through the elder it is bound to (the elder in
the account's reach); an unbound device through the street or district it was registered in.
Pending devices and dead letters are platform-wide technical queues (a device not yet registered
has no area, a dead letter holds the raw payload): only accounts with `devices.manage` and a
district, street or whole-platform scope see them; a community station does not."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from yiyang.accounts.access import AnyUser, Scope, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.devices.choices import PendingState
from yiyang.devices.models import DeadLetter, Device, DeviceBinding, IntakeCounter, PendingDevice
from yiyang.elders.models import Elder
from yiyang.elders.selectors import elders_in_reach


def _unbound_q(scope: Scope) -> Q:
    if scope.kind is ScopeKind.ALL:
        return Q()
    if scope.kind is ScopeKind.DISTRICT:
        return Q(district_id=scope.area_id)
    if scope.kind in (ScopeKind.STREET, ScopeKind.COMMUNITY, ScopeKind.ORGANISATION) and scope.street_id:
        return Q(street_id=scope.street_id)
    return Q(pk__in=[])


def devices_in_reach(*, user: AnyUser) -> QuerySet[Device]:
    if not has_perm(user, Perm.DEVICES_VIEW):
        return Device.objects.none()
    scope = scope_for(user)
    open_binding = DeviceBinding.objects.filter(device=OuterRef("pk"), until__isnull=True)
    reach = Exists(open_binding.filter(elder__in=elders_in_reach(user=user).values("pk")))
    unbound = ~Exists(open_binding) & _unbound_q(scope)
    return Device.objects.filter(reach | unbound)


QUEUE_SCOPES = frozenset({ScopeKind.ALL, ScopeKind.DISTRICT, ScopeKind.STREET})


def can_see_queues(user: AnyUser) -> bool:
    """Whether the account may see the pending-device and dead-letter queues: `devices.manage` and a
    district, street or whole-platform scope. The menu, the pages, the API and the home card all ask this."""
    return has_perm(user, Perm.DEVICES_MANAGE) and scope_for(user).kind in QUEUE_SCOPES


def current_bindings() -> Prefetch:
    return Prefetch(
        "bindings",
        queryset=DeviceBinding.objects.filter(until__isnull=True).select_related("elder", "home"),
        to_attr="open_bindings",
    )


@dataclass(frozen=True)
class DeviceFilters:
    kind: str = ""
    online: bool | None = None
    bound: bool | None = None
    q: str = ""


def device_list(*, user: AnyUser, filters: DeviceFilters | None = None) -> QuerySet[Device]:
    """Devices in reach, with their open binding (`open_bindings`), by kind then identifier."""
    filters = filters or DeviceFilters()
    qs = devices_in_reach(user=user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.online is not None:
        qs = qs.filter(online=filters.online)
    if filters.bound is not None:
        open_binding = DeviceBinding.objects.filter(device=OuterRef("pk"), until__isnull=True)
        qs = qs.filter(Exists(open_binding)) if filters.bound else qs.exclude(Exists(open_binding))
    if filters.q:
        qs = qs.filter(Q(identifier__icontains=filters.q.strip()) | Q(vendor__icontains=filters.q.strip()))
    return qs.select_related("street").prefetch_related(current_bindings()).order_by("kind", "identifier", "id")


def device_get(*, public_id: UUID) -> Device | None:
    return (
        Device.objects.select_related("district", "street")
        .prefetch_related(current_bindings())
        .filter(public_id=public_id)
        .first()
    )


def binding_history(*, device: Device) -> QuerySet[DeviceBinding]:
    return DeviceBinding.objects.filter(device=device).select_related("elder", "home").order_by("-since", "-id")


def pending_device_list(
    *, user: AnyUser, state: str = PendingState.PENDING, protocol: str = "", q: str = ""
) -> QuerySet[PendingDevice]:
    """Devices heard from but not registered, most recently heard first; `q` matches the device
    number by prefix or the vendor anywhere in it. Empty without the right to see the queues."""
    if not can_see_queues(user):
        return PendingDevice.objects.none()
    qs = PendingDevice.objects.all()
    if state:
        qs = qs.filter(state=state)
    if protocol:
        qs = qs.filter(protocol=protocol)
    if q.strip():
        qs = qs.filter(Q(identifier__istartswith=q.strip()) | Q(vendor__icontains=q.strip()))
    return qs.order_by("-last_seen_at", "-id")


def dead_letter_list(*, user: AnyUser, adapter: str = "", q: str = "") -> QuerySet[DeadLetter]:
    """Messages no adapter could read, newest first; `q` matches the source or the reason anywhere
    in it. Empty without the right to see the queues."""
    if not can_see_queues(user):
        return DeadLetter.objects.none()
    qs = DeadLetter.objects.all()
    if adapter:
        qs = qs.filter(adapter=adapter)
    if q.strip():
        qs = qs.filter(Q(source__icontains=q.strip()) | Q(reason__icontains=q.strip()))
    return qs.order_by("-received_at", "-id")


def dead_letter_adapters(*, user: AnyUser) -> list[str]:
    """The adapters that have left unreadable messages, sorted (for a filter's choices)."""
    if not can_see_queues(user):
        return []
    return list(DeadLetter.objects.order_by("adapter").values_list("adapter", flat=True).distinct())


def intake_counts() -> dict[str, int]:
    """Counters by "adapter/outcome" (messages, malformed, readings, pending readings)."""
    return {f"{row.adapter}/{row.outcome}": row.count for row in IntakeCounter.objects.all()}


def device_status_summary(*, user: AnyUser) -> dict[str, int]:
    qs = devices_in_reach(user=user)
    return {
        "total": qs.count(),
        "online": qs.filter(online=True).count(),
        "low_battery": qs.filter(battery__lt=20).count(),
        "not_worn": qs.filter(worn=False).count(),
    }


def elder_device_bindings(*, user: AnyUser, elder: Elder, current_only: bool = False) -> QuerySet[DeviceBinding]:
    """The elder's device bindings, newest first, with their device, when the account holds
    `devices.view` and reaches the elder (`elders_in_reach`); none otherwise. `current_only` keeps
    the open bindings: the devices bound to the elder now."""
    if not has_perm(user, Perm.DEVICES_VIEW):
        return DeviceBinding.objects.none()
    qs = DeviceBinding.objects.filter(elder=elder, elder_id__in=elders_in_reach(user=user).values("pk"))
    if current_only:
        qs = qs.filter(until__isnull=True)
    return qs.select_related("device").order_by("-since", "-id")


def device_attention_counts(*, user: AnyUser) -> dict[str, int]:
    """What needs a device manager's attention, in reach: devices that reported but are not registered
    yet (`pending`, the district queue, 0 without `devices.manage`), registered devices that are
    offline (`offline`) and messages that could not be decoded (`undecodable`, the dead-letter queue,
    0 without `devices.manage`)."""
    return {
        "pending": pending_device_list(user=user).count(),
        "offline": devices_in_reach(user=user).filter(online=False).count(),
        "undecodable": dead_letter_list(user=user).count(),
    }
