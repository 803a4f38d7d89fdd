from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    INSTITUTION = "institution", _("养老机构")
    CARE_CENTRE = "care_centre", _("街道综合养老服务照料中心")
    STATION = "station", _("社区养老服务站")
    COMPLEX = "complex", _("“一老一小”综合体")
    HOSPITAL = "hospital", _("医院")
    HEALTH_CENTRE = "health_centre", _("社区卫生服务中心")
    CLINIC = "clinic", _("诊所/卫生站")


MEDICAL_KINDS = frozenset({OrganisationKind.HOSPITAL, OrganisationKind.HEALTH_CENTRE, OrganisationKind.CLINIC})
CARE_KINDS = frozenset(
    {OrganisationKind.INSTITUTION, OrganisationKind.CARE_CENTRE, OrganisationKind.STATION, OrganisationKind.COMPLEX}
)
# Kinds that keep beds and admit residents.
BED_KINDS = frozenset({OrganisationKind.INSTITUTION, OrganisationKind.CARE_CENTRE, OrganisationKind.COMPLEX})


class HospitalGrade(models.TextChoices):
    """Hospital grades of the 医院分级管理办法 (three levels, each 甲/乙/丙)."""

    GRADE_3A = "3A", _("三级甲等")
    GRADE_3B = "3B", _("三级乙等")
    GRADE_3C = "3C", _("三级丙等")
    GRADE_2A = "2A", _("二级甲等")
    GRADE_2B = "2B", _("二级乙等")
    GRADE_2C = "2C", _("二级丙等")
    GRADE_1A = "1A", _("一级甲等")
    GRADE_1B = "1B", _("一级乙等")
    GRADE_1C = "1C", _("一级丙等")
    UNGRADED = "none", _("未定级")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PUBLIC_PRIVATE = "public_private", _("公建民营")
    PRIVATE = "private", _("民办")


class OrganisationStatus(models.TextChoices):
    OPEN = "open", _("运营中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已关闭")


class BedState(models.TextChoices):
    FREE = "free", _("空闲")
    RESERVED = "reserved", _("预留")
    OCCUPIED = "occupied", _("占用")
    UNAVAILABLE = "unavailable", _("停用")


class DischargeReason(models.TextChoices):
    HOME = "home", _("回家")
    TRANSFER = "transfer", _("转院/转机构")
    HOSPITAL = "hospital", _("住院")
    DECEASED = "deceased", _("去世")
    OTHER = "other", _("其他")
