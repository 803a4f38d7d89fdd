from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yiyang.assessments.choices import AssessmentReason, AssessmentStatus
from yiyang.core.models import BaseModel


class PolicyVersion(BaseModel):
    """Policy data for one scale (e.g. the LTC group bands and combination table) loaded by an officer.

    Rows are append-only: a newer `effective_from` (or a later load for the same date) replaces the
    values for assessments dated from then on; older assessments keep a reference to the version
    they were scored with. `district` null means the version applies in every district.
    """

    scale = models.CharField(_("量表"), max_length=32, db_index=True)
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("适用区")
    )
    # What the scale layer receives as `policy` ({} when the version only changes settings) and as
    # `settings`. A version replaces the previous one entirely.
    data = models.JSONField(_("政策数据"), default=dict, blank=True)
    scoring_settings = models.JSONField(_("评分设置"), default=dict, blank=True)
    source = models.TextField(_("来源"))
    verified = models.BooleanField(_("已核实"), default=False)
    note = models.TextField(_("说明"), blank=True)
    effective_from = models.DateField(_("生效日期"))
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )

    class Meta:
        ordering = ["scale", "-effective_from", "-id"]
        verbose_name = _("评估政策数据版本")
        verbose_name_plural = _("评估政策数据版本")
        indexes = [models.Index(fields=["scale", "district", "-effective_from"], name="policy_scale_recent")]

    def __str__(self) -> str:
        return f"{self.scale} {self.effective_from:%Y-%m-%d}"

    @property
    def loaded_at(self) -> datetime:
        return self.created_at


class Assessment(BaseModel):
    """One assessment of one elder with one scale: answers, the computed result and its explanation.

    The result is computed by the service from the answers when the record is submitted (never sent
    by a client). Once confirmed a record is never changed; a correction is a new record that
    `supersedes` it, and the newest confirmed, still valid record is the elder's current level.
    """

    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("老年人")
    )
    scale = models.CharField(_("量表"), max_length=32)
    scale_version = models.CharField(_("量表数据版本"), max_length=64, blank=True)
    # "ability" (GB/T 42195 and the legacy MZ/T 039), "long_term_care" (LTC 2021) or, for any other
    # scale, the scale code itself: a newer confirmed record of the same family replaces an older one.
    family = models.CharField(_("等级类别"), max_length=32, db_index=True)
    reason = models.CharField(_("评估原因"), max_length=16, choices=AssessmentReason.choices)
    assessed_on = models.DateField(_("评估日期"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评估员")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    # Who signed, as they were when they signed (`accounts.selectors.person_snapshot`): name,
    # username, qualification number, organisation. The report of a signed record must not change
    # when the account is later renamed or moved; set at submission (assessor) and confirmation
    # (reviewer), empty before and for records signed before these were kept.
    assessor_snapshot = models.JSONField(_("评估员签署信息"), default=dict, blank=True)
    reviewer_snapshot = models.JSONField(_("审核人签署信息"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    answers = models.JSONField(_("评估答案"), default=dict, blank=True)
    result = models.JSONField(_("评估结果"), null=True, blank=True)
    total = models.IntegerField(_("总分"), null=True, blank=True)
    level = models.SmallIntegerField(_("等级"), null=True, blank=True)
    level_name = models.CharField(_("等级名称"), max_length=64, blank=True)
    level_code = models.CharField(_("等级代码"), max_length=16, blank=True)
    verified = models.BooleanField(_("依据均已核实"), default=False)
    policy = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("政策数据版本"),
    )
    scoring_settings = models.JSONField(_("评分设置"), default=dict, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的记录"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_reason = models.TextField(_("退回原因"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("能力评估")
        verbose_name_plural = _("能力评估")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.CONFIRMED)
                | Q(
                    reviewer__isnull=False,
                    confirmed_at__isnull=False,
                    submitted_at__isnull=False,
                    result__isnull=False,
                    level__isnull=False,
                ),
                name="assessment_confirmed_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.SUBMITTED) | Q(submitted_at__isnull=False, result__isnull=False),
                name="assessment_submitted_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.RETURNED) | ~Q(returned_reason=""),
                name="assessment_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=F("assessor")),
                name="assessment_reviewer_is_not_assessor",
            ),
        ]
        indexes = [
            models.Index(fields=["elder", "scale", "status"], name="assessment_elder_scale"),
            models.Index(fields=["status", "valid_until"], name="assessment_status_validity"),
        ]

    def __str__(self) -> str:
        return f"{self.scale} {self.assessed_on:%Y-%m-%d}"

    @property
    def level_label(self) -> str:
        """The stored level name in the active language (the scale file's English for it in English)."""
        from yiyang.assessments.presentation import name_shown

        return name_shown(self.scale, self.level_name) if self.level_name else ""
