"""Request metadata for audit events, carried in a context variable for the length of a request.

Services take the acting user explicitly; only *where from* (IP, client, path) travels implicitly,
because every interface (page, API, command) would otherwise have to thread it through.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest

from yiyang.core.http import client_address


@dataclass(frozen=True)
class RequestMeta:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    method: str = ""


_current: ContextVar[RequestMeta | None] = ContextVar("audit_request_meta", default=None)


def request_meta_from(request: HttpRequest) -> RequestMeta:
    return RequestMeta(
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        path=request.get_full_path()[:300],
        method=(request.method or "")[:8],
    )


@contextmanager
def bind_request_meta(meta: RequestMeta) -> Iterator[None]:
    token = _current.set(meta)
    try:
        yield
    finally:
        _current.reset(token)


def current_request_meta() -> RequestMeta:
    return _current.get() or RequestMeta(path="(command)")
