from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiyang.alerts.choices import (
    ALERT_TYPE_LABELS,
    CLOSED_STATUSES,
    AlertStatus,
    CloseCode,
    DeliveryStatus,
    DispatchTarget,
    EventKind,
    Severity,
)
from yiyang.core.models import BaseModel


class EscalationPolicy(BaseModel):
    """A district's override of the default escalation policy for one severity.

    `policy` has the shape of one entry of `data/escalation_defaults.json` (steps, re-escalation);
    an alert copies the policy in force when it opens, so a later change never alters open alerts.
    """

    district = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    policy = models.JSONField(_("策略"))
    source = models.CharField(_("依据"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["district_id", "severity"]
        verbose_name = _("告警升级策略")
        verbose_name_plural = _("告警升级策略")
        constraints = [
            models.UniqueConstraint(fields=["district", "severity"], name="escalation_policy_one_per_severity")
        ]

    def __str__(self) -> str:
        return f"{self.district_id}:{self.severity}"


class Alert(BaseModel):
    """One episode of an (elder, alert type) condition, from opening to its close code.

    At most one alert per (elder, alert type) is not closed (partial unique constraint), so a
    repeat updates the open alert and a redelivered reading can never open a second one.
    `street`/`district` are copied from the elder at opening for one-column filters and reports.
    """

    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("老年人"))
    street = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    alert_type = models.CharField(_("告警类型"), max_length=40)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    status = models.CharField(_("状态"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    rule = models.CharField(_("规则"), max_length=80, blank=True)
    opened_at = models.DateTimeField(_("产生时间"))
    last_seen_at = models.DateTimeField(_("最近触发"))
    repeat_count = models.PositiveIntegerField(_("重复次数"), default=0)
    # The values that triggered the last raise (numbers and codes only, never personal data).
    last_detail = models.JSONField(_("最近详情"), default=dict, blank=True)
    condition_cleared_at = models.DateTimeField(_("指标恢复时间"), null=True, blank=True)

    # Escalation: the policy copied at opening, the last step taken and when the next one is due.
    policy = models.JSONField(_("升级策略快照"), default=dict)
    escalation_started_at = models.DateTimeField(_("升级计时起点"))
    escalation_step = models.PositiveSmallIntegerField(_("升级步骤"), default=0)
    reescalation_count = models.PositiveSmallIntegerField(_("再升级次数"), default=0)
    next_escalation_at = models.DateTimeField(_("下次升级时间"), null=True, blank=True, db_index=True)

    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dispatch_target = models.CharField(_("派遣对象"), max_length=20, choices=DispatchTarget.choices, blank=True)
    dispatched_to = models.CharField(_("派遣给"), max_length=100, blank=True)
    on_scene_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    on_scene_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_code = models.CharField(_("关闭原因"), max_length=32, choices=CloseCode.choices, blank=True)
    note = models.TextField(_("处置说明"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("告警")
        verbose_name_plural = _("告警")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "alert_type"], condition=Q(closed_at__isnull=True), name="alert_one_open_per_type"
            ),
            models.CheckConstraint(
                condition=(Q(status__in=sorted(CLOSED_STATUSES)) & Q(closed_at__isnull=False) & ~Q(close_code=""))
                | (~Q(status__in=sorted(CLOSED_STATUSES)) & Q(closed_at__isnull=True) & Q(close_code="")),
                name="alert_closed_has_time_and_code",
            ),
        ]
        indexes = [
            models.Index(fields=["street", "opened_at"], name="alert_street_opened"),
            models.Index(fields=["district", "opened_at"], name="alert_district_opened"),
            models.Index(fields=["status", "opened_at"], name="alert_status_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_type}#{self.pk}"

    @property
    def alert_type_label(self) -> str:
        return str(ALERT_TYPE_LABELS.get(self.alert_type, self.alert_type))

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AlertEvent(models.Model):
    """Append-only timeline of an alert. Its id is also the cursor of the live console stream:
    every change to an alert appends an event, so "events after id N" is "what changed"."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("告警事件")
        verbose_name_plural = _("告警事件")
        indexes = [models.Index(fields=["alert", "id"], name="alert_event_timeline")]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.kind}"


class Delivery(models.Model):
    """One notification handed to a channel. (alert, stage, channel, recipient) is unique, so a
    notification job that is retried never messages the same person twice for the same step."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    stage = models.CharField(_("阶段"), max_length=20)  # "step0", "step1", "re1", "dispatch:helper"…
    recipient_kind = models.CharField(_("接收方类型"), max_length=20)
    recipient_ref = models.CharField(_("接收方"), max_length=80)  # "user:12", "contact:3", "elder", "area:4"
    address_masked = models.CharField(_("地址（脱敏）"), max_length=40, blank=True)
    channel = models.CharField(_("渠道"), max_length=20)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices)
    provider_ref = models.CharField(_("回执"), max_length=100, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "stage", "channel", "recipient_ref"], name="delivery_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.stage}:{self.channel}"
