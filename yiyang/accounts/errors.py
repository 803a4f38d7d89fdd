from django.utils.translation import gettext_lazy as _

from yiyang.core.errors import ApplicationError, Forbidden, NotFound


class StaffNotFound(NotFound):
    title = _("账号不存在")


class SignInThrottled(ApplicationError):
    """Too many failed sign-ins for this username or from this address; the same answer either way."""

    status = 429
    title = _("登录受限")


class PasswordExpired(Forbidden):
    """The password is older than YIYANG_PASSWORD_MAX_AGE_DAYS: nothing but changing it is allowed."""

    title = _("密码已过期")
