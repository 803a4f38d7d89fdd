from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import NotFound


class DistrictNotFound(NotFound):
    title: str | Promise = _("区不存在或不在您的辖区内")
