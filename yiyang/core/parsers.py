"""The API's default request parser.

Kept apart from `core.api` on purpose: DRF's `APIView` reads DEFAULT_PARSER_CLASSES while
`rest_framework.views` is imported, and `core.api` imports that module, so a parser defined there
would be imported half-initialised (Django then fails to start whenever DRF's settings are read
before `core.api` is loaded, as `makemigrations` does).
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from yiyang.core import limits


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with the platform's limits: nesting deeper than YIYANG_MAX_JSON_DEPTH is a
    400 naming the limit (never a RecursionError), and NaN/Infinity are refused as non-standard JSON."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        data = stream.read() if stream is not None else b""
        try:
            return limits.loads_json(data)
        except limits.JsonTooDeep as exc:
            raise limits.json_too_deep_error(exc.depth) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {limits.excerpt(exc)}") from None
