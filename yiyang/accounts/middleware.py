"""Session timeouts and password expiry, for every request signed in by session.

- Idle: no request for YIYANG_SESSION_IDLE_MINUTES signs the session out (`user_logged_out` is sent).
- Absolute: YIYANG_SESSION_MAX_HOURS after sign-in the session ends whatever happens.
- Expired password (YIYANG_PASSWORD_MAX_AGE_DAYS): pages redirect to the change-password page, the
  API answers 403, until the password is changed.
API calls with a token are not session-based and are untouched here (their sign-in already refused
an expired password).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from yiyang.accounts.signin import password_expired

SESSION_STARTED = "yiyang_signed_in_at"
SESSION_SEEN = "yiyang_seen_at"
# The last-seen time is written at most this often, not on every request (a session write each time).
SEEN_RESOLUTION_SECONDS = 60


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            idle = settings.YIYANG_SESSION_IDLE_MINUTES * 60
            lifetime = settings.YIYANG_SESSION_MAX_HOURS * 3600
            if (idle and seen is not None and now - seen > idle) or (
                lifetime and started is not None and now - started > lifetime
            ):
                logout(request)
                return self._signed_out(request)
            if started is None:
                request.session[SESSION_STARTED] = now
            if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN] = now
            if password_expired(user) and not self._allowed_while_expired(request):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "status": 403,
                            "title": _("密码已过期"),
                            "detail": _("密码已过期，请先修改密码"),
                            "errors": [{"field": "password", "reason": _("密码已过期"), "code": "password_expired"}],
                        },
                        status=403,
                    )
                return redirect(f"{reverse('password-change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _allowed_while_expired(request: HttpRequest) -> bool:
        path = request.path
        allowed = (reverse("password-change"), reverse("logout"), reverse("login"), "/static/", "/i18n/", "/jsi18n/")
        return path.startswith(allowed)

    @staticmethod
    def _signed_out(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "status": 401,
                    "title": _("会话已过期"),
                    "detail": _("会话已超时，请重新登录"),
                    "errors": [{"field": "session", "reason": _("会话已超时"), "code": "session_expired"}],
                },
                status=401,
            )
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path(), 'expired': '1'})}")
