"""Device registry, bindings to elders, stored readings (which double as the durable intake log),
and the holding areas for what intake could not use: unknown devices and malformed messages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.core.models import BaseModel
from yiyang.devices.choices import DeviceKind, DeviceProtocol, DeviceState, PendingState


class Device(BaseModel):
    """A watch, radar, mattress, sensor or button, known by its identifier within its protocol.

    `street`/`district` place an unbound device (where it was registered); a bound device is in reach
    through its elder. The live-status columns are written by the intake writer only.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=DeviceKind.choices)
    vendor = models.CharField(_("厂商"), max_length=64, blank=True)
    model_name = models.CharField(_("型号"), max_length=64, blank=True)
    protocol = models.CharField(_("接入协议"), max_length=16, choices=DeviceProtocol.choices)
    identifier = models.CharField(_("设备号（IMEI/MAC/序列号）"), max_length=64)
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    street = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("街道")
    )
    state = models.CharField(_("状态"), max_length=16, choices=DeviceState.choices, default=DeviceState.ACTIVE)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Live status.
    online = models.BooleanField(_("在线"), default=False)
    last_seen_at = models.DateTimeField(_("最近上报"), null=True, blank=True)
    battery = models.PositiveSmallIntegerField(_("电量%"), null=True, blank=True)
    worn = models.BooleanField(_("佩戴中"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "identifier"]
        verbose_name = _("监测设备")
        verbose_name_plural = _("监测设备")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "identifier"], name="device_unique_identifier"),
            models.CheckConstraint(condition=models.Q(battery__lte=100), name="device_battery_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identifier}"


class DeviceBinding(BaseModel):
    """A device serving an elder in a home from `since` until `until` (open when null). Rows are
    never deleted: closing a binding sets `until`, so the history stays."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("设备"))
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, related_name="device_bindings", verbose_name=_("老年人")
    )
    home = models.ForeignKey(
        "elders.Home", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("家庭")
    )
    location = models.CharField(_("安装位置"), max_length=64, blank=True)
    since = models.DateTimeField(_("绑定时间"))
    until = models.DateTimeField(_("解绑时间"), null=True, blank=True)
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    unbound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("设备绑定")
        verbose_name_plural = _("设备绑定")
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=models.Q(until__isnull=True), name="device_binding_one_open"
            ),
        ]
        indexes = [models.Index(fields=["elder", "-since"], name="binding_elder_recent")]

    def __str__(self) -> str:
        return f"{self.device_id}->{self.elder_id}"


class DeviceReading(models.Model):
    """One canonical reading, appended by intake in batches; also the runner's durable log (the
    runner consumes rows in `id` order). `key` is the idempotency key.

    On PostgreSQL the table is partitioned by month of `device_ts` (migration 0002, partitions made
    ahead by `manage.py readings_maintain`), so the unique key includes `device_ts`.
    Plain ids here, not foreign keys: the hot path never joins, and partitions stay cheap to drop.
    """

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=160)
    device_id = models.BigIntegerField()
    elder_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    code = models.CharField(max_length=32)
    value_num = models.FloatField(null=True)
    value_text = models.CharField(max_length=64, blank=True)
    unit = models.CharField(max_length=16, blank=True)
    device_ts = models.DateTimeField()
    received_ts = models.DateTimeField()
    valid = models.BooleanField(default=True)
    invalid_reason = models.CharField(max_length=64, blank=True)
    signal = models.SmallIntegerField(null=True)
    worn = models.BooleanField(null=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["key", "device_ts"], name="reading_unique_key")]
        indexes = [models.Index(fields=["elder_id", "device_ts"], name="reading_elder_time")]

    def __str__(self) -> str:
        return self.key


class PendingDevice(BaseModel):
    """An identifier that sent data but is not registered (or not bound): held, not dropped."""

    protocol = models.CharField(_("接入协议"), max_length=16, choices=DeviceProtocol.choices)
    identifier = models.CharField(_("设备号"), max_length=64)
    vendor = models.CharField(_("厂商"), max_length=64, blank=True)
    kind_hint = models.CharField(_("类型（推测）"), max_length=16, blank=True)
    first_seen_at = models.DateTimeField(_("首次上报"))
    last_seen_at = models.DateTimeField(_("最近上报"))
    message_count = models.PositiveIntegerField(_("消息数"), default=0)
    reading_count = models.PositiveIntegerField(_("读数数"), default=0)
    last_payload = models.TextField(_("最近一条原文"), blank=True)
    state = models.CharField(_("处理状态"), max_length=16, choices=PendingState.choices, default=PendingState.PENDING)
    reason = models.CharField(_("原因"), max_length=32, default="unknown_device")

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("待登记设备")
        verbose_name_plural = _("待登记设备")
        constraints = [models.UniqueConstraint(fields=["protocol", "identifier"], name="pending_unique_identifier")]

    def __str__(self) -> str:
        return self.identifier


class DeadLetter(models.Model):
    """A message intake could not parse, kept verbatim with the reason."""

    adapter = models.CharField(_("接入"), max_length=32)
    source = models.CharField(_("来源"), max_length=200, blank=True)  # topic, vendor or peer address
    payload = models.TextField(_("原文"))
    reason = models.CharField(_("原因"), max_length=300)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("无法解析的消息")
        verbose_name_plural = _("无法解析的消息")

    def __str__(self) -> str:
        return f"{self.adapter}: {self.reason}"


class IntakeCounter(models.Model):
    """Running counts per adapter and outcome (accepted, duplicate, malformed, pending)."""

    adapter = models.CharField(max_length=32)
    outcome = models.CharField(max_length=32)
    count = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["adapter", "outcome"]
        constraints = [models.UniqueConstraint(fields=["adapter", "outcome"], name="intake_counter_unique")]

    def __str__(self) -> str:
        return f"{self.adapter}/{self.outcome}={self.count}"


class RunnerCheckpoint(models.Model):
    """The engine runner's snapshot: engine state and the last consumed reading id. With the real
    engine `state` holds only the layout header and each elder's state is an `EngineElderState`
    row, rewritten only when that elder changed (see `Runner`)."""

    name = models.CharField(max_length=32, unique=True)
    position = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)
    state = models.BinaryField(null=True)
    generation = models.BigIntegerField(default=0)  # of the EngineElderState rows the state is made of
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"


class EngineElderState(models.Model):
    """One elder's engine state, written by a checkpoint cut of generation `generation`. The state
    as of a checkpoint is each elder's newest row with generation <= the checkpoint's; empty
    `state` means the elder had none."""

    runner = models.CharField(max_length=32)
    elder_id = models.BigIntegerField()
    generation = models.BigIntegerField()
    state = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["runner", "elder_id", "generation"], name="engine_state_unique_cut")
        ]

    def __str__(self) -> str:
        return f"{self.runner}:{self.elder_id}"
