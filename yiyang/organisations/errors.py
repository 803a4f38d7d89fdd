from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class OrganisationNotFound(NotFound):
    title = _("机构不存在")


class BedNotFound(NotFound):
    title = _("床位不存在")


class AdmissionNotFound(NotFound):
    title = _("入住记录不存在")
