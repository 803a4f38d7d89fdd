"""DRF glue shared by every app: one exception handler, pagination, a base API view.

Every error answers `{"status", "title", "detail", "errors": [{"field", "reason", "code"}]}` so a
client can show each bad field next to its input.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from yiyang.core import limits
from yiyang.core.errors import ApplicationError, FieldError, ValidationFailed


def _flatten(detail: Any, prefix: str = "") -> list[FieldError]:
    """Turn DRF's nested error detail into a flat list of (field, reason)."""
    found: list[FieldError] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else "__all__"
            found.extend(_flatten(value, f"{prefix}.{name}" if prefix else str(name)))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                found.extend(_flatten(value, f"{prefix}[{index}]"))
            else:
                found.extend(_flatten(value, prefix))
    else:
        code = getattr(detail, "code", "invalid") or "invalid"
        found.append(FieldError(prefix or "__all__", str(detail), str(code)))
    return found


def validation_failed(exc: exceptions.ValidationError) -> ValidationFailed:
    """DRF's ValidationError as our ValidationFailed (for pages that parse input with a serializer)."""
    return ValidationFailed("Validation failed", errors=_flatten(exc.detail))


def _body(status_code: int, title: str, detail: str, errors: list[FieldError]) -> dict[str, Any]:
    return {
        "status": status_code,
        "title": title,
        "detail": detail,
        "errors": [e.as_dict() for e in errors],
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    mapped = limits.from_django(exc, context.get("request"))
    if mapped is not None:
        exc = mapped
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.status, str(exc.title), exc.message, exc.errors), status=exc.status)
    if isinstance(exc, Http404):
        return Response(_body(404, "Not found", "Not found", []), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        response.data = _body(response.status_code, "Validation failed", "Validation failed", errors)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = _body(response.status_code, str(exc.default_detail), detail, [])
    return response


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


def created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


# Free text (notes, reasons) at the API edge: YIYANG_MAX_TEXT_CHARS as configured at start-up.
TEXT_MAX_CHARS: int = limits.limit("YIYANG_MAX_TEXT_CHARS")


class LimitedDateField(serializers.DateField):
    """A date query parameter within [YIYANG_EARLIEST_DATE, YIYANG_LATEST_DATE]; outside, or not a
    date, a 400 naming the parameter and the accepted range (the same rule as `limits.parse_date`)."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            return limits.parse_date(self.field_name or "date", value)
        except limits.ValidationFailed as exc:
            error = exc.errors[0]
            raise exceptions.ValidationError(error.reason, code=error.code) from None
