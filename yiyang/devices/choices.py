from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    WATCH = "watch", _("智能手表")
    FALL_RADAR = "fall_radar", _("跌倒监测雷达")
    FALL_ALARM = "fall_alarm", _("跌倒报警器")
    MATTRESS = "mattress", _("智能床垫")
    DOOR_SENSOR = "door_sensor", _("门磁")
    MOTION_SENSOR = "motion_sensor", _("人体感应器")
    SOS_BUTTON = "sos_button", _("紧急呼叫按钮")


class DeviceProtocol(models.TextChoices):
    MQTT_JSON = "mqtt_json", _("MQTT JSON")
    HTTP_RADAR = "http_radar", _("厂商云推送（HTTP）")
    IW_TCP = "iw_tcp", _("IW 手表协议（TCP）")


class DeviceState(models.TextChoices):
    ACTIVE = "active", _("在用")
    RETIRED = "retired", _("停用")


class PendingState(models.TextChoices):
    PENDING = "pending", _("待处理")
    REGISTERED = "registered", _("已登记")
    IGNORED = "ignored", _("已忽略")
