"""Base classes for per-operation API views (HackSoft style): authentication required, and the
paginated list helper every list endpoint shares.

A view that answers with `paginated` is a `PaginatedApi`: the schema then documents its list answer as
the page object (`count`, `next`, `previous`, `results`) with the `page` and `page_size` parameters,
instead of a bare array."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from yiyang.core.api import Pagination


class ApiView(APIView):
    """An authenticated API operation. Subclasses call one service or selector."""


class PaginatedApi(ApiView):
    """An operation whose GET answers one page of a list (through `paginated`)."""

    pagination_class = Pagination


def paginated(
    request: Request,
    view: APIView,
    queryset: QuerySet[Any],
    serializer: type[BaseSerializer[Any]],
    context: dict[str, Any] | None = None,
    shown: Callable[[Sequence[Any]], object] | None = None,
) -> Response:
    """One page of `queryset`; `shown` is called with the page's rows in display order (the views of
    personal data record there, in one audit event, which records the caller was shown)."""
    pagination_class = getattr(view, "pagination_class", None)
    if pagination_class is None:
        raise TypeError(f"{type(view).__name__} answers a page: derive it from PaginatedApi for its schema")
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    if shown is not None:
        shown(list(page or []))
    return paginator.get_paginated_response(serializer(page, many=True, context=context or {}).data)
