from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import ApplicationError, NotFound


class AlertNotFound(NotFound):
    title: str | Promise = _("告警不存在或不在您的辖区内")


class AlertTransitionRefused(ApplicationError):
    """The alert's current status does not allow this step (e.g. on scene before dispatch)."""

    status = 409
    title: str | Promise = _("告警当前状态不允许此操作")
