"""Password rules beyond Django's: character classes, the username, digits only, and reuse.

Configured in AUTH_PASSWORD_VALIDATORS (config/django/base.py); Django's MinimumLengthValidator
(YIYANG_PASSWORD_MIN_LENGTH) and CommonPasswordValidator sit beside them.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassesValidator:
    """At least `min_classes` of: lowercase letters, uppercase letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if _classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、其他符号中的至少%(n)d类") % {"n": self.min_classes},
                code="password_too_few_classes",
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、其他符号中的至少%(n)d类") % {"n": self.min_classes}


class NotUsernameValidator:
    """Neither equal to nor containing the username (case-insensitive), nor contained in it."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        lowered = password.lower()
        if username and (username in lowered or lowered in username):
            raise ValidationError(_("密码不能包含用户名"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名")


class NotAllDigitsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if password.isdigit():
            raise ValidationError(_("密码不能全是数字"), code="password_entirely_numeric")

    def get_help_text(self) -> str:
        return _("密码不能全是数字")


class PasswordReuseValidator:
    """Not the account's current password nor one of the YIYANG_PASSWORD_HISTORY - 1 before it
    (0 = no check). When a changed password is saved (Django calls `password_changed` after
    `save()`), the hash it replaced is kept in PasswordHistory and older entries are dropped."""

    def _keep(self) -> int:
        return int(getattr(settings, "YIYANG_PASSWORD_HISTORY", 5))

    def validate(self, password: str, user: Any = None) -> None:
        keep = self._keep()
        if not keep or user is None or not getattr(user, "pk", None):
            return
        from yiyang.accounts.models import PasswordHistory

        hashes = [user.password] if user.password else []
        hashes += list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-at", "-pk")
            .values_list("password", flat=True)[: keep - 1]
        )
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(_("不能使用最近%(n)d次用过的密码") % {"n": keep}, code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        keep = self._keep()
        replaced = getattr(user, "_replaced_password_hash", "")
        if not keep or user is None or not getattr(user, "pk", None) or not replaced:
            return
        from yiyang.accounts.models import PasswordHistory

        user._replaced_password_hash = ""
        PasswordHistory.objects.create(user=user, password=replaced, at=timezone.now())
        stale = list(
            PasswordHistory.objects.filter(user=user).order_by("-at", "-pk").values_list("pk", flat=True)[keep:]
        )
        if stale:
            PasswordHistory.objects.filter(pk__in=stale).delete()

    def get_help_text(self) -> str:
        return _("不能使用最近%(n)d次用过的密码") % {"n": self._keep()}
