"""Monitoring rules configured per district and per elder.

The defaults are data (`engine/data/rules.yaml`, each rule with its source and verified mark). A
district keeps one current override document (`DistrictRuleOverride`) and every version it ever had
(`DistrictRuleVersion`, append-only, with who, when and a note). An elder's
`ElderMonitoringProfile` holds the elder flags (copd, dementia), an optional elder-level override and
the rescue information the 120 hand-off sheet reads (conditions and long-term medication, free text).
Documents are partial rules documents, validated by the services before they are stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiyang.core.fields import EncryptedTextField
from yiyang.core.models import BaseModel


class DistrictRuleOverride(BaseModel):
    """The district's current override of the default rules; `version` counts its changes (1, 2, …).

    An empty document means "the defaults"; clearing an override is a new version, never a delete,
    so the history stays whole.
    """

    district = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    document = models.JSONField(_("覆盖规则"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("版本"))
    note = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )

    class Meta:
        verbose_name = _("辖区监测规则")
        verbose_name_plural = _("辖区监测规则")
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="district_rules_version_positive")]

    def __str__(self) -> str:
        return f"{self.district_id} v{self.version}"


class DistrictRuleVersion(BaseModel):
    """One saved version of a district's override, kept for ever (the current one included)."""

    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    version = models.PositiveIntegerField(_("版本"))
    document = models.JSONField(_("覆盖规则"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )

    class Meta:
        ordering = ["district_id", "-version"]
        verbose_name = _("辖区监测规则版本")
        verbose_name_plural = _("辖区监测规则版本")
        constraints = [
            models.UniqueConstraint(fields=["district", "version"], name="district_rule_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} v{self.version}"


PROFILE_TEXT_MAX = 500


class ElderMonitoringProfile(BaseModel):
    """An elder's monitoring flags (from `MonitoringFlag`), optional elder-level override, and the
    conditions and long-term medication shown on the 120 hand-off sheet.

    `revision` counts saves so that the rules resolver's fingerprint moves on every change.
    """

    elder = models.OneToOneField(
        "elders.Elder", on_delete=models.CASCADE, related_name="monitoring_profile", verbose_name=_("老年人")
    )
    flags = models.JSONField(_("监测标记"), default=list, blank=True)
    override = models.JSONField(_("个人覆盖规则"), default=dict, blank=True)
    # Health information: encrypted at rest (yiyang.core.crypto; ADR 0004).
    conditions = EncryptedTextField(_("既往病史"), max_length=PROFILE_TEXT_MAX, blank=True)
    medication = EncryptedTextField(_("长期用药"), max_length=PROFILE_TEXT_MAX, blank=True)
    note = models.TextField(_("说明"), blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )

    class Meta:
        verbose_name = _("老年人监测设置")
        verbose_name_plural = _("老年人监测设置")

    def __str__(self) -> str:
        return f"{self.elder_id} r{self.revision}"

    @property
    def is_empty(self) -> bool:
        return not self.flags and not self.override and not self.conditions and not self.medication
