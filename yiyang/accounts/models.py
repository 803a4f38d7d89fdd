import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.choices import Role


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

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username
