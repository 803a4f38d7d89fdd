"""Keeps where a request came from (IP, client, path) for audit events written during it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from yiyang.audit.context import RequestMeta, bind_request_meta, request_meta_from


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bind_request_meta(request_meta_from(request)):
            return self.get_response(request)


__all__ = ["RequestContextMiddleware", "RequestMeta"]
