"""Response headers that Django's own SecurityMiddleware does not send: Content-Security-Policy,
Permissions-Policy, and "do not store" on every response that may carry personal data.

Django 5.2 already sends X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy
(SecurityMiddleware) and X-Frame-Options (XFrameOptionsMiddleware); their values are set in
config/django/base.py so that they are written down in one place.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# No inline script and no inline style: every script and stylesheet is a file served by us. JSON
# handed to a page travels in <script type="application/json"> (json_script), which is never executed.
DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# Redoc (/api/redoc/) styles itself through styled-components, which injects <style> elements, and runs its search
# in a worker made from a blob: URL. That one page of public API documentation, with no personal data, may use
# inline styles and blob: workers; its scripts stay 'self' only. (Its "powered by" logo from cdn.redoc.ly stays
# refused: the platform runs in an intranet.)
REDOC_CONTENT_SECURITY_POLICY = (
    DEFAULT_CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    + "; worker-src 'self' blob:"
)
DEFAULT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"


def with_content_security_policy(policy: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view whose responses carry `policy` instead of the site's CSP (the middleware keeps a CSP that
    a view set). For third-party pages that cannot do without, with the reason written next to the policy."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.headers["Content-Security-Policy"] = policy
            return response

        return wrapper

    return decorate


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response, and marks responses
    to signed-in users and every API response as not to be stored by browsers or proxies.

    A header the view already set is left as it is. With DEBUG on, Django's technical 404/500
    pages (inline styles and scripts) are sent without a CSP so that they stay readable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CONTENT_SECURITY_POLICY)
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        self.static_url = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        technical_page = settings.DEBUG and response.status_code in (404, 500)
        if self.csp and not technical_page:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self._may_carry_personal_data(request):
            add_never_cache_headers(response)
        return response

    def _may_carry_personal_data(self, request: HttpRequest) -> bool:
        if self.static_url and request.path.startswith(self.static_url):
            return False
        if request.path.startswith("/api/"):
            return True
        # DRF sets the authenticated user (token or session) on the Django request as well.
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
