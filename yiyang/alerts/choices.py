from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.monitoring.engine.rules import SEVERITY_RANK as ENGINE_SEVERITY_RANK

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Severity(models.TextChoices):
    EMERGENCY = "emergency", _("紧急")
    URGENT = "urgent", _("重要")
    WATCH = "watch", _("关注")
    TECHNICAL = "technical", _("设备")


class AlertCategory(models.TextChoices):
    """The two views of the console. Technical alerts (device offline, not worn, low battery) are
    the ones whose rule has severity `technical` in monitoring/engine/data/rules.yaml: device faults,
    not calls for help, so they are kept apart from health & safety alerts, never sound and are left
    out of the SLA report."""

    HEALTH = "health", _("健康与安全")
    TECHNICAL = "technical", _("设备告警")


def category_of(severity: str) -> AlertCategory:
    """The console view an alert of `severity` belongs to."""
    return AlertCategory.TECHNICAL if severity == Severity.TECHNICAL else AlertCategory.HEALTH


# Higher ranks first: a repeat may raise an alert's severity, never lower it (only DowngradeAlert does).
# Derived from the engine's ranking so the two can never disagree; keyed by `Severity` members.
SEVERITY_RANK = {Severity(name): rank for name, rank in ENGINE_SEVERITY_RANK.items()}


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


# How each alert type of the engine's rules (monitoring/engine/data/rules.yaml) is named to people.
ALERT_TYPE_LABELS: "dict[str, StrOrPromise]" = {
    "sos": _("紧急呼叫（SOS）"),
    "fall": _("跌倒"),
    "hr_high": _("心率过快"),
    "hr_low": _("心率过慢"),
    "hr_watch": _("心率异常（观察）"),
    "spo2_low": _("血氧过低"),
    "sbp_low": _("收缩压过低"),
    "bp_high": _("血压过高"),
    "temperature": _("体温异常"),
    "temp_extreme": _("体温极端异常"),
    "rr_high": _("呼吸过快"),
    "rr_low": _("呼吸过慢"),
    "news2": _("综合预警评分偏高"),
    "inactivity": _("长时间无活动"),
    "late_wakeup": _("晨起异常（未按时起床）"),
    "night_bed_exit": _("夜间离床过久"),
    "night_door_exit": _("夜间外出未归"),
    "night_bathroom": _("夜间如厕次数增多"),
    "housebound": _("活动量持续偏低"),
    "device_offline": _("设备离线"),
    "not_worn": _("设备未佩戴"),
    "battery_low": _("设备电量低"),
}
