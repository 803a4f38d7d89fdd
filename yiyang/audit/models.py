from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("查看")
    CREATE = "create", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")


class AuditEvent(models.Model):
    """Append-only log of who viewed, created, changed or exported personal data, when and from where.

    Holds references and field names only, never the personal values themselves (PIPL).
    `district` scopes who may read the event.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    entity_type = models.CharField(_("对象类型"), max_length=32)
    entity_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    fields = models.JSONField(_("涉及字段"), default=list, blank=True)
    record_ids = models.JSONField(_("涉及记录"), default=list, blank=True)
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, related_name="+")
    ip_address = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    path = models.CharField(_("路径"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["district", "-at"], name="audit_district_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.entity_type}"
