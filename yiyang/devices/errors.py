from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class DeviceNotFound(NotFound):
    title = _("设备不存在")


class PendingDeviceNotFound(NotFound):
    title = _("待登记设备不存在")
