from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class AreaNotFound(NotFound):
    title = _("行政区域不存在")
