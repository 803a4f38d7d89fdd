from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    """The shipped schemes; their parameters live in data/parameters, their rules in rules.py."""

    STARTUP = "startup_subsidy", _("一次性开办补助")
    BED_OPERATION = "bed_operation_subsidy", _("床位运营补贴")
    RATING_REWARD = "rating_reward", _("等级评定奖励")
    RESIDENT_CARE = "resident_care_subsidy", _("入住机构养老服务补贴")
    CARE_WORKER_ENTRY = "care_worker_entry_award", _("养老护理岗位入职奖补")
    CARE_WORKER_SERVICE = "care_worker_service_award", _("养老护理岗位在职奖补")
    TALENT_ENTRY = "talent_entry_award", _("养老服务人才入职奖励")
    TALENT_SKILL = "talent_skill_award", _("职业技能等级提升和稳岗奖励")
    TRAINING = "training_subsidy", _("培训补贴")


class SubjectKind(models.TextChoices):
    ELDER = "elder", _("老年人")
    ORGANISATION = "organisation", _("机构")
    WORKER = "worker", _("护理人员")


class Channel(models.TextChoices):
    INSTITUTION = "institution", _("机构申请")
    FAMILY = "family", _("家属申请")
    STREET = "street", _("街道代办")
    IMPORT = "import", _("批量导入")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待街道审核")
    STREET_APPROVED = "street_approved", _("待区级审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", _("享受中")
    ENDED = "ended", _("已终止")


class StopReason(models.TextChoices):
    DISCHARGED = "discharged", _("离院")
    DECEASED = "deceased", _("去世")
    MOVED_OUT = "moved_out", _("迁出本区")
    NOT_REGISTERED = "not_registered", _("非本区户籍")
    ORGANISATION_UNLICENSED = "unlicensed", _("机构不再具备资质")
    PAID_IN_FULL = "paid_in_full", _("已全部发放")
    OFFICER = "officer", _("经办人终止")


class PayrollStatus(models.TextChoices):
    COMPUTED = "computed", _("已计算待锁定")
    LOCKED = "locked", _("已锁定")


class LineKind(models.TextChoices):
    REGULAR = "regular", _("当月发放")
    INSTALMENT = "instalment", _("一次性/分期发放")
    ARREARS = "arrears", _("补发")
    RECOVERY = "recovery", _("追回")


class EconomicKey(models.TextChoices):
    """Keys of the resident matrix rows; the same codes as elders.choices.EconomicStatus."""

    TEKUN = "tekun", _("特困")
    DIBAO = "dibao", _("低保")
    LOW_INCOME = "low_income", _("低收入")
    ORDINARY = "ordinary", _("普通")
