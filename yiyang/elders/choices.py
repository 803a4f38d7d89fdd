from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HouseholdRegistration(models.TextChoices):
    """户籍老人 are registered here; 常住老人 live here with household registration elsewhere."""

    REGISTERED = "registered", _("户籍")
    RESIDENT = "resident", _("常住（非户籍）")


class EconomicStatus(models.TextChoices):
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困")
    LOW_INCOME = "low_income", _("低收入")
    ORDINARY = "ordinary", _("普通")


class SpecialStatus(models.TextChoices):
    ORPHANED_ELDER = "orphaned", _("孤老")
    LOST_ONLY_CHILD = "shidu", _("失独")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("计划生育特殊家庭")
    DISABLED = "disabled", _("残疾")
    VETERAN = "veteran", _("优抚对象")
    CENTENARIAN = "centenarian", _("百岁老人")


class LivingArrangement(models.TextChoices):
    ALONE = "alone", _("独居")
    EMPTY_NEST = "empty_nest", _("空巢（仅与配偶同住）")
    WITH_FAMILY = "with_family", _("与子女/亲属同住")
    IN_INSTITUTION = "in_institution", _("入住机构")
    OTHER = "other", _("其他")


class ElderStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    MOVED_OUT = "moved_out", _("迁出")
    DECEASED = "deceased", _("去世")


class AgeBand(models.TextChoices):
    """Bands used in list filters and statistics (inclusive lower, exclusive upper, in years)."""

    UNDER_60 = "lt60", _("60岁以下")
    AGE_60_69 = "60-69", _("60–69岁")
    AGE_70_79 = "70-79", _("70–79岁")
    AGE_80_89 = "80-89", _("80–89岁")
    AGE_90_99 = "90-99", _("90–99岁")
    AGE_100_PLUS = "100+", _("100岁及以上")


AGE_BAND_RANGES: dict[str, tuple[int, int | None]] = {
    AgeBand.UNDER_60: (0, 60),
    AgeBand.AGE_60_69: (60, 70),
    AgeBand.AGE_70_79: (70, 80),
    AgeBand.AGE_80_89: (80, 90),
    AgeBand.AGE_90_99: (90, 100),
    AgeBand.AGE_100_PLUS: (100, None),
}
