from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class AssessmentNotFound(NotFound):
    title = _("评估记录不存在")


class PolicyVersionNotFound(NotFound):
    title = _("政策数据版本不存在")
