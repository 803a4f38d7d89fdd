import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.choices import Role
from yiyang.core.fields import EncryptedTextField

QUALIFICATION_NUMBER_MAX_LENGTH = 32


class User(AbstractUser):
    """A person who signs in: officer, staff member, helper or family member.

    `role` says what kind of work they do, `area`/`organisation` where. What they may do is their
    role's default permissions plus `permissions_granted` minus `permissions_withdrawn`: only the
    account's deviations from its role are stored, so a permission a release adds to the role's
    defaults reaches the account unless an officer withdrew it (see `accounts.access.effective_perms`).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # The number of the certificate that qualifies the person for the work they sign (an assessor's
    # 评估员证, a doctor's 执业证书). The longest in use are 22 characters (医师资格证书编码,
    # 职业技能等级证书编号); 32 leaves room for a prefix without admitting free text.
    qualification_number = models.CharField(_("资格证书编号"), max_length=QUALIFICATION_NUMBER_MAX_LENGTH, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("辖区"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所属机构"),
    )
    # Named permissions (`Perm` values), sorted; kept free of no-ops by the account services.
    permissions_granted = models.JSONField(_("额外授予的权限"), default=list, blank=True)
    permissions_withdrawn = models.JSONField(_("收回的角色权限"), default=list, blank=True)
    is_assessor = models.BooleanField(_("评估员资格"), default=False)
    # When the password was last set; with YIYANG_PASSWORD_MAX_AGE_DAYS it decides when a change is due.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        # The hash being replaced goes into PasswordHistory once saved (PasswordReuseValidator).
        self._replaced_password_hash = self.password
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # create_user() assigns the hash directly rather than calling set_password(): start the clock.
        if self.password_changed_at is None and self.password:
            self.password_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
        super().save(*args, **kwargs)


class LoginFailure(models.Model):
    """One failed sign-in (wrong password, unknown username, wrong second-factor code), kept for the
    throttling window. Keyed by the username as typed, so an unknown username is counted like a
    known one and the answers cannot tell them apart."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="accounts_failure_user_at"),
            models.Index(fields=["ip_address", "at"], name="accounts_failure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M:%S}"


class LoginLock(models.Model):
    """A username that may not sign in, even with the right password, until `until` (None: until an
    officer unlocks it)."""

    username = models.CharField(max_length=150, unique=True)
    locked_at = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username


class SecondFactor(models.Model):
    """An account's TOTP (RFC 6238) secret. Shown once, while enrolling; `confirmed_at` is set when the
    first code was accepted. `last_step` is the time step of the last accepted code: a code of that
    step or an earlier one is refused, so an observed code cannot be replayed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    # Encrypted at rest like elders' national IDs (ADR 0004): whoever reads the table cannot mint codes.
    secret = EncryptedTextField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords, so that a change cannot go back to one of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "-at"], name="accounts_pwhist_user_at")]

    def __str__(self) -> str:
        return f"password of {self.user_id} @ {self.at:%Y-%m-%d}"
