from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class ElderNotFound(NotFound):
    title = _("老年人档案不存在")


class HomeNotFound(NotFound):
    title = _("家庭不存在")
