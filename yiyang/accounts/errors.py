from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class StaffNotFound(NotFound):
    title = _("账号不存在")
