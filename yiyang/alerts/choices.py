from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    EMERGENCY = "emergency", _("紧急")
    URGENT = "urgent", _("重要")
    WATCH = "watch", _("关注")
    TECHNICAL = "technical", _("设备")


# Higher ranks first: a repeat may raise an alert's severity, never lower it (only DowngradeAlert does).
SEVERITY_RANK = {Severity.TECHNICAL: 0, Severity.WATCH: 1, Severity.URGENT: 2, Severity.EMERGENCY: 3}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待响应")
    ACKNOWLEDGED = "acknowledged", _("已响应")
    DISPATCHED = "dispatched", _("已派遣")
    ON_SCENE = "on_scene", _("已到场")
    RESOLVED = "resolved", _("已处置")
    FALSE_ALARM = "false_alarm", _("误报")
    CANCELLED_BY_ELDER = "cancelled_by_elder", _("老人取消")


CLOSED_STATUSES = frozenset({AlertStatus.RESOLVED, AlertStatus.FALSE_ALARM, AlertStatus.CANCELLED_BY_ELDER})
ACTIVE_STATUSES = frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.DISPATCHED, AlertStatus.ON_SCENE})


class CloseCode(models.TextChoices):
    TRUE_EMERGENCY = "true_emergency", _("真实紧急情况")
    FALSE_ALARM_DEVICE = "false_alarm_device", _("误报（设备原因）")
    FALSE_ALARM_BEHAVIOUR = "false_alarm_behaviour", _("误报（误操作）")
    CANCELLED_BY_ELDER = "cancelled_by_elder", _("老人主动取消")
    DUPLICATE = "duplicate", _("重复告警")
    OTHER = "other", _("其他")


# The closed status each close code leads to; the code is the label fed back to rule tuning.
CLOSE_CODE_STATUS = {
    CloseCode.TRUE_EMERGENCY: AlertStatus.RESOLVED,
    CloseCode.FALSE_ALARM_DEVICE: AlertStatus.FALSE_ALARM,
    CloseCode.FALSE_ALARM_BEHAVIOUR: AlertStatus.FALSE_ALARM,
    CloseCode.CANCELLED_BY_ELDER: AlertStatus.CANCELLED_BY_ELDER,
    CloseCode.DUPLICATE: AlertStatus.RESOLVED,
    CloseCode.OTHER: AlertStatus.RESOLVED,
}


class EventKind(models.TextChoices):
    OPENED = "opened", _("产生")
    REPEATED = "repeated", _("重复")
    UPGRADED = "upgraded", _("升级严重程度")
    DOWNGRADED = "downgraded", _("降级")
    CONDITION_CLEARED = "condition_cleared", _("指标恢复")
    NOTIFIED = "notified", _("已通知")
    ESCALATED = "escalated", _("升级通知")
    ACKNOWLEDGED = "acknowledged", _("响应")
    DISPATCHED = "dispatched", _("派遣")
    ON_SCENE = "on_scene", _("到场")
    CLOSED = "closed", _("关闭")


class DispatchTarget(models.TextChoices):
    HELPER = "helper", _("助老员")
    FAMILY = "family", _("家属")
    EMERGENCY_120 = "emergency_120", _("120急救")
    OTHER = "other", _("其他人员")


class Recipient(models.TextChoices):
    """Who a policy step notifies; resolved to people and channels by the notify service."""

    CONSOLE = "console", _("值班控制台")
    WATCH_CALL = "watch_call", _("呼叫老人手表")
    ELDER_CALL = "elder_call", _("电话联系老人")
    HELPER = "helper", _("助老员")
    FAMILY = "family", _("第一联系人")
    SUPERVISOR = "supervisor", _("站点主管")
    EMERGENCY_120 = "emergency_120", _("120交接单")
    WORKLIST = "worklist", _("每日工作清单")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("无接收人")
