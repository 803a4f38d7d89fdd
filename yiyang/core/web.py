"""Glue shared by the server-rendered pages of every app."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from yiyang.core.errors import ApplicationError, Forbidden, NotFound, ValidationFailed

View = Callable[..., HttpResponse | FileResponse]


def staff_page(view: View) -> View:
    """Sign-in required; a record out of reach is a 404 and a missing right a 403, as in the API."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationFailed as exc:
            # A page that does not show the error next to a form field (a bad query parameter, say)
            # answers 400 in the site's frame, never a server error.
            return rejected_response(request, exc)

    return login_required(wrapper)


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
