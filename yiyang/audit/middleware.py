"""Keeps where a request came from (IP, client, path, method) for audit events written during it, and
records every refused or not-found answer to a signed-in user as a `deny` event."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from yiyang.audit.context import RequestMeta, bind_request_meta, request_meta_from

DENIED_STATUSES = frozenset({403, 404})
# Denied events are about a request, not a record type: the record's id (if the URL names one) is the
# entity id, the URL's name is in the summary.
DENY_ENTITY_TYPE = "request"
# Paths whose 403/404 say nothing about personal data (assets, translations, probes).
DEFAULT_SKIP_PREFIXES = ("/static/", "/media/", "/jsi18n/", "/health", "/favicon.ico", "/robots.txt")


def skipped(path: str) -> bool:
    prefixes = getattr(settings, "AUDIT_DENY_SKIP_PREFIXES", DEFAULT_SKIP_PREFIXES)
    static = "/" + str(getattr(settings, "STATIC_URL", "static/") or "").lstrip("/")
    return path.startswith(tuple(prefixes)) or (static != "/" and path.startswith(static))


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bind_request_meta(request_meta_from(request)):
            response = self.get_response(request)
            if response.status_code in DENIED_STATUSES:
                record_denied(request, response.status_code)
            return response


def record_denied(request: HttpRequest, status: int) -> None:
    """One `deny` event for a 403/404 answered to a signed-in user (API token or session).

    The user is read after the view ran, so an API request authenticated by token counts too.
    Anonymous callers are not recorded here (their 401s/redirects are noise; failed logins are
    recorded from the auth signals).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or skipped(request.path):
        return
    from yiyang.audit.models import AuditAction
    from yiyang.audit.receivers import district_of
    from yiyang.audit.services import audit_record

    match = request.resolver_match
    view = match.url_name if match and match.url_name else "-"
    kwargs = match.kwargs if match else {}
    entity_id = str(next(iter(kwargs.values()))) if len(kwargs) == 1 else ""
    what = "拒绝访问" if status == 403 else "未找到或无权访问"
    audit_record(
        actor=user,
        action=AuditAction.DENY,
        entity_type=DENY_ENTITY_TYPE,
        entity_id=entity_id[:64],
        summary=f"{what}（{status}）：{view}"[:300],
        district=district_of(user),
        status_code=status,
    )


__all__ = ["RequestContextMiddleware", "RequestMeta"]
