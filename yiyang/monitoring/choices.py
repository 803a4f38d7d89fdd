from django.db import models
from django.utils.translation import gettext_lazy as _


class MonitoringFlag(models.TextChoices):
    """Elder flags the rules know (`compile_ruleset(document, flags)`): each selects a rule variant."""

    COPD = "copd", _("慢阻肺（血氧按 NEWS2 第二标尺）")
    DEMENTIA = "dementia", _("认知障碍（启用夜间出门未归告警）")
