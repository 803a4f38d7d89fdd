"""The authentication backend: Django's ModelBackend behind the throttle.

Every password check goes through `django.contrib.auth.authenticate`, so `user_login_failed` is
sent for each refusal. A locked username or throttled address is refused before the password is
looked at (PermissionDenied stops authenticate); `request.yiyang_login_refused` then says why, for
the page or API to show the lockout message instead of "wrong password".
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from yiyang.accounts.models import User
from yiyang.accounts.signin import client_ip, login_failure_record, login_refusal


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip_address = client_ip(request)
        refusal = login_refusal(username=username, ip_address=ip_address)
        if refusal is not None:
            if request is not None:
                request.yiyang_login_refused = refusal  # type: ignore[attr-defined]
            raise PermissionDenied(refusal)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, ip_address=ip_address)
            # This failure may have been the one that locked the username or the address.
            refusal = login_refusal(username=username, ip_address=ip_address)
            if refusal is not None and request is not None:
                request.yiyang_login_refused = refusal  # type: ignore[attr-defined]
            return None
        assert isinstance(user, User)
        return user
