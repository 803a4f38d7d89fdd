from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_OFFICER = "bureau_officer", _("民政局工作人员")
    HEALTH_OFFICER = "health_officer", _("卫健局工作人员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    CARE_CENTRE_STAFF = "care_centre_staff", _("照料中心工作人员")
    STATION_STAFF = "station_staff", _("养老服务站工作人员")
    INSTITUTION_STAFF = "institution_staff", _("养老机构工作人员")
    MEDICAL_STAFF = "medical_staff", _("医务人员")
    HELPER = "helper", _("助老员")
    FAMILY = "family", _("家属")


# Which scope each role's `area` / `organisation` must name (checked by the account services).
DISTRICT_ROLES = frozenset({Role.BUREAU_OFFICER, Role.HEALTH_OFFICER})
STREET_ROLES = frozenset({Role.STREET_STAFF, Role.CARE_CENTRE_STAFF})
COMMUNITY_ROLES = frozenset({Role.STATION_STAFF})
ORGANISATION_ROLES = frozenset({Role.INSTITUTION_STAFF, Role.MEDICAL_STAFF})
PERSONAL_ROLES = frozenset({Role.HELPER, Role.FAMILY})
