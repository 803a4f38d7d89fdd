"""Glue shared by the server-rendered pages of every app."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from yiyang.core.errors import ApplicationError, Forbidden, NotFound, ValidationFailed

View = Callable[..., HttpResponse | FileResponse]

logger = logging.getLogger(__name__)


def staff_page(view: View) -> View:
    """Sign-in required; a record out of reach is a 404 and a missing right a 403, as in the API."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(*_forbidden_reason(exc)) from exc
        except ValidationFailed as exc:
            # A page that does not show the error next to a form field (a bad query parameter, say)
            # answers 400 in the site's frame, never a server error.
            return rejected_response(request, exc)

    return login_required(wrapper)


def _forbidden_reason(exc: ApplicationError) -> tuple[str, ...]:
    # A Forbidden raised without a message carries its class's untranslated title: no reason to show.
    return () if exc.message == str(exc.title) else (exc.message,)


def is_partial(request: HttpRequest) -> bool:
    """An HTMX swap of part of the page (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def rejected_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """A refused request in the caller's terms: the API's JSON error shape under /api/, else an
    HTML page in the base template. The status is the error's (400, 413, ...)."""
    if request.path.startswith("/api/"):
        body = {
            "status": error.status,
            "title": str(error.title),
            "detail": error.message,
            "errors": [e.as_dict() for e in error.errors],
        }
        return JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/rejected.html", {"error": error}, status=error.status)


def query_without_page(request: HttpRequest, page_param: str = "page") -> str:
    """The request's query string without its page parameter, for `includes/pagination.html` to
    append the page to: paging a list keeps its search and filters."""
    query = request.GET.copy()
    query.pop(page_param, None)
    return query.urlencode()


# ---------------------------------------------------------------------------------------- error pages
# Every HTML error answers in the site layout (base.html: the menu for a signed-in account, none for
# an anonymous visitor), says what is missing and whom to ask; under /api/ the answer is the API's
# JSON error shape. config/urls.py names these as Django's handler400/403/404/500,
# CSRF_FAILURE_VIEW is `csrf_failure`, and ErrorPageMiddleware gives require_POST's empty 405 a page.


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for the API (JSON errors) rather than a page."""
    return request.path.startswith("/api/")


def error_json(status: int, title: str, detail: str) -> JsonResponse:
    """The API's error shape (as `yiyang.core.api.exception_handler` writes it) with no field errors."""
    body = {"status": status, "title": title, "detail": detail, "errors": []}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def account_unit(request: HttpRequest) -> str:
    """The organisation or area the signed-in account belongs to ("" if none or anonymous): the unit
    whose account administrator the error pages send the reader to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    for attribute in ("organisation", "area"):
        unit = getattr(user, attribute, None)
        if unit is not None:
            return str(unit)
    return ""


def error_response(request: HttpRequest, status: int, template: str, **context: Any) -> HttpResponse:
    """`template` rendered with the request (so the layout shows the menu to a signed-in account)
    and `status`; `context` adds e.g. `reason`."""
    context.setdefault("unit", account_unit(request))
    return render(request, template, context, status=status)


def _own_message(exception: BaseException | None) -> str:
    """The message of an exception raised by this project's code (a string argument), else "":
    Django's own 404s carry the resolver's tried patterns, which are not for the reader."""
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return ""
    return str(exception.args[0])


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """handler400: a request the server will not handle (a suspicious header, say)."""
    if is_api(request):
        return error_json(400, _("请求有误"), _("服务器无法处理这个请求。"))
    return error_response(request, 400, "400.html")


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """handler403: the layout, the reason the code gave (e.g. the label of the missing permission),
    and whom to ask for it."""
    reason = _own_message(exception)
    if is_api(request):
        return error_json(403, _("无权访问"), reason or _("您的账号没有执行此操作的权限。"))
    return error_response(request, 403, "403.html", reason=reason)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """handler404: the layout; the domain's own message when a page turned a NotFound into the 404
    (it is the same for a record that is missing and one out of reach), never Django's internals."""
    cause = exception.__cause__ if exception is not None else None
    reason = _own_message(exception) if isinstance(cause, ApplicationError) else ""
    if is_api(request):
        return error_json(404, _("页面不存在"), reason or _("请求的地址或记录不存在，或不在您的管辖范围内。"))
    return error_response(request, 404, "404.html", reason=reason)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the layout with the menu if the request can still be rendered with (the database
    may be the thing that failed), else the same page without the request."""
    if is_api(request):
        return error_json(500, _("服务器出错"), _("服务器处理请求时出错，已记录。请稍后重试。"))
    try:
        return error_response(request, 500, "500.html")
    except Exception:
        logger.exception("the 500 page could not be rendered with the request; rendering it without")
        return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (a page left open past the session, or
    cookies blocked) answers 403 in the layout, saying to reload the page and send again."""
    logger.warning("CSRF check failed for %s %s: %s", request.method, request.path, reason)
    if is_api(request):
        return error_json(403, _("安全校验未通过"), _("请求缺少有效的 CSRF 令牌。"))
    return error_response(request, 403, "403_csrf.html")


def method_not_allowed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A page's 405 (a POST-only address opened by a link, say) in the layout, keeping `Allow`."""
    page = error_response(request, 405, "405.html")
    if response.has_header("Allow"):
        page["Allow"] = response["Allow"]
    return page


class ErrorPageMiddleware:
    """Pages only (not /api/): an empty 405 (Django's require_POST) becomes the 405 page, and a
    domain NotFound/Forbidden/ValidationFailed escaping a view not wrapped in `staff_page` answers as
    `staff_page` would (404/403 page, 400 page) instead of a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not is_api(request) and not getattr(response, "content", b"x"):
            return method_not_allowed(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api(request):
            return None
        if isinstance(exception, NotFound):
            try:
                raise Http404(exception.message) from exception
            except Http404 as wrapped:
                return page_not_found(request, wrapped)
        if isinstance(exception, Forbidden):
            return permission_denied(request, PermissionDenied(*_forbidden_reason(exception)))
        if isinstance(exception, ValidationFailed):
            return rejected_response(request, exception)
        return None
