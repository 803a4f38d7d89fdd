"""API token authentication that keeps the sign-in rules a session keeps.

A token outlives the sign-in that issued it, so the password-age rule is checked on every call, as
`SessionSecurityMiddleware` does for sessions (which it cannot do for tokens: DRF identifies a token's
user only inside the view).
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication

from yiyang.accounts.errors import PasswordExpired
from yiyang.accounts.signin import password_expired
from yiyang.core.errors import FieldError


class AccountTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if password_expired(user):
            raise PasswordExpired(
                _("密码已过期，请先修改密码"),
                errors=[FieldError("password", _("密码已过期"), "password_expired")],
            )
        return user, token
