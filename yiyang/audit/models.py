from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("查看")
    CREATE = "create", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    DENY = "deny", _("拒绝访问")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    LOCKOUT = "lockout", _("账号锁定")
    UNLOCK = "unlock", _("解除锁定")
    MFA_FAILED = "mfa_failed", _("二次验证失败")
    MFA_RESET = "mfa_reset", _("重置二次验证")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PURGE = "purge", _("清理过期日志")


# Events about access and sign-in rather than about a record's data: a refused or failed request still
# leaves one of these (tests asserting "nothing was written" leave them out).
ACCESS_ACTIONS = (
    AuditAction.DENY,
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOGOUT,
    AuditAction.LOCKOUT,
    AuditAction.UNLOCK,
    AuditAction.MFA_FAILED,
    AuditAction.MFA_RESET,
    AuditAction.PASSWORD_CHANGE,
)


class AppendOnlyViolation(Exception):
    """An attempt to change or delete an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads only: bulk update and delete are refused, and so is an unchained bulk insert."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation("audit events are append-only: no update")

    def delete(self) -> NoReturn:
        raise AppendOnlyViolation("audit events are append-only: no delete (retention: `yiyang audit purge`)")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation("audit events are append-only: no update")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation("append audit events with yiyang.audit.chain.append_events (it chains them)")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation("audit events are append-only: no update")


class AuditEvent(models.Model):
    """Append-only, hash-chained log of who viewed, created, changed, exported or was refused which
    personal data, when and from where, and of every sign-in, failure, lockout and sign-out.

    Holds references and field names only, never the personal values themselves (PIPL).
    `district` scopes who may read the event. Each event carries `sequence` (a strict total order),
    `prev_hash` (the previous event's hash) and `hash` (SHA-256 over its own fields and prev_hash,
    see yiyang.audit.chain), so a changed, removed or inserted row is detectable (`yiyang audit verify`).
    Saving an existing row or deleting one raises AppendOnlyViolation; database triggers refuse the
    same (migration 0003); only the retention purge may delete, oldest first.
    """

    sequence = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
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
    method = models.CharField(_("请求方法"), max_length=8, blank=True)
    status_code = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    # On a purge event only: the hash of the last purged event, which the oldest kept event's
    # prev_hash must equal.
    checkpoint_hash = models.CharField(_("清理检查点"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["district", "-at"], name="audit_district_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.entity_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new event at the end of the chain; an existing event can never be saved again."""
        if not self._state.adding or self.pk is not None:
            raise AppendOnlyViolation("audit events are append-only: no update")
        from yiyang.audit.chain import append_events

        append_events([self])

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation("audit events are append-only: no delete (retention: `yiyang audit purge`)")

    def _insert_chained(self) -> None:
        """Plain insert; only yiyang.audit.chain calls it, with sequence and hashes already set."""
        super().save(force_insert=True)


class AuditChainHead(models.Model):
    """One row: the last appended event's sequence and hash.

    Appending locks this row, which puts concurrent writers in one order; verify compares the chain's
    end with it, so removing the newest events is detected too. `purging` is set only inside the
    retention purge's transaction and is what lets the database triggers allow its deletes.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    purging = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash}"
