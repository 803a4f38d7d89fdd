"""Glue shared by the server-rendered pages of every app."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from yiyang.core.errors import Forbidden, NotFound

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

    return login_required(wrapper)


def is_partial(request: HttpRequest) -> bool:
    """An HTMX swap of part of the page (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")
