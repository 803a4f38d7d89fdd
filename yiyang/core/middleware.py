"""Language selection, and the request-size limits.

Language selection: Simplified Chinese unless the user chose another language in the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer whose browser
happens to be set to English would get an English UI without asking for it. Here only the language
cookie (set by the switch) counts.
"""

from collections.abc import Callable
from io import BytesIO

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from yiyang.core import limits
from yiyang.core.errors import ValidationFailed
from yiyang.core.web import rejected_response


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        code = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class RequestLimitsMiddleware:
    """Refuse a body over its limit before anything reads it, in the shape the caller understands.

    The limit is YIYANG_MAX_UPLOAD_BYTES for a multipart body (a file upload) and
    YIYANG_MAX_REQUEST_BODY_BYTES otherwise. A body without Content-Length (chunked) is read up to
    the limit and refused beyond it. Django's own lazy refusals (RequestDataTooBig, too many fields),
    raised when a view reads the body, are answered the same way instead of with a bare 400 page.
    The API (paths under /api/) gets the JSON error shape; pages get an HTML page in the base template.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        upload = request.content_type == "multipart/form-data"
        bound = limits.limit("YIYANG_MAX_UPLOAD_BYTES" if upload else "YIYANG_MAX_REQUEST_BODY_BYTES")
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(raw_length) if raw_length else None
        except ValueError:
            return rejected_response(
                request, ValidationFailed.single("__all__", _("Content-Length 无效"), "invalid_content_length")
            )
        if length is not None and length > bound:
            return rejected_response(request, limits.body_too_large(length, upload=upload))
        if length is None and request.method in ("POST", "PUT", "PATCH") and request.headers.get("Transfer-Encoding"):
            # A chunked body: read at most one byte more than the limit, then hand the rest of the
            # stack what was read (as Django itself does once `request.body` has been read).
            data = request.read(bound + 1)
            if len(data) > bound:
                return rejected_response(request, limits.body_too_large(None, upload=upload))
            request._body = data
            request._stream = BytesIO(data)
            request.META["CONTENT_LENGTH"] = str(len(data))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        mapped = limits.from_django(exception, request)
        return rejected_response(request, mapped) if mapped is not None else None
