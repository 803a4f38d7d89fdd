from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentReason(models.TextChoices):
    """评估原因, GB/T 42195-2022 Annex A (A.1 评估基本信息表)."""

    FIRST = "first", _("首次评估")
    ROUTINE = "routine", _("常规评估")
    IMMEDIATE = "immediate", _("即时评估")
    REASSESSMENT = "reassessment", _("复评")
    OTHER = "other", _("其他")


class AssessmentStatus(models.TextChoices):
    """draft → submitted → confirmed; a reviewer may return a submitted record (with a reason), which
    its assessor edits and submits again. A confirmed record is final: corrections supersede it."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    CONFIRMED = "confirmed", _("已确认")


EDITABLE_STATUSES = frozenset({AssessmentStatus.DRAFT, AssessmentStatus.RETURNED})


class ScaleFamily(models.TextChoices):
    """What a scale's level stands for on the elder profile. Scales outside these two families form a
    family of their own, keyed by the scale code."""

    ABILITY = "ability", _("老年人能力等级")
    LONG_TERM_CARE = "long_term_care", _("长期护理失能等级")


# The current standard first, then the legacy one whose old records may still be imported and shown.
FAMILY_SCALES: dict[str, tuple[str, ...]] = {
    ScaleFamily.ABILITY: ("gbt42195-2022", "mzt039-2013"),
    ScaleFamily.LONG_TERM_CARE: ("ltc-2021",),
}
_FAMILY_OF_SCALE = {code: family for family, codes in FAMILY_SCALES.items() for code in codes}


def family_of(scale: str) -> str:
    """The family a record of `scale` belongs to (the scale code itself outside the two families)."""
    return str(_FAMILY_OF_SCALE.get(scale, scale))


class DueReason(models.TextChoices):
    """Why an assessment is on the due list."""

    LAPSING = "lapsing", _("即将到期")
    LAPSED = "lapsed", _("已过期")
    RETURNED = "returned", _("被退回待修改")
