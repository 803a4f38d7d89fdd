from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from yiyang.devices.selectors import can_see_queues


def device_queues(request: HttpRequest) -> dict[str, Any]:
    """`device_queues_visible`: whether the signed-in account may open the pending-device and
    undecodable-message queues (so the menu offers them only then). Evaluated only if a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"device_queues_visible": False}
    return {"device_queues_visible": SimpleLazyObject(lambda: can_see_queues(user))}
