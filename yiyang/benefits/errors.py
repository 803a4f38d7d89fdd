from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class ApplicationNotFound(NotFound):
    title = _("补贴申请不存在")


class EntitlementNotFound(NotFound):
    title = _("补贴待遇不存在")


class AttachmentNotFound(NotFound):
    title = _("附件不存在")
