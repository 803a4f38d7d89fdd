"""Every input limit of the platform, in one place.

Each limit is an operational knob (not a policy value): a named Django setting with the default
below, read when it is used so that a test or a deployment may override it. A violation is always a
ValidationFailed (400) or a `TooLarge` (413) naming the field (or `__all__` for the whole body) and
the limit, so the API answers in its error shape and pages show the same message.

| Setting                          | Default        | What it bounds                                    |
|----------------------------------|----------------|---------------------------------------------------|
| YIYANG_MAX_REQUEST_BODY_BYTES    | 2 MiB          | any request body except an upload (413)           |
| YIYANG_MAX_UPLOAD_BYTES          | 10 MiB         | a multipart body carrying a file (413)            |
| YIYANG_MAX_JSON_DEPTH            | 32             | nesting of objects/arrays in a JSON body (400)    |
| YIYANG_MAX_TEXT_CHARS            | 2,000          | free text (notes, reasons) at the API/page edge   |
| YIYANG_MAX_WORKBOOK_BYTES        | 10 MiB         | an uploaded .xlsx file                            |
| YIYANG_MAX_WORKBOOK_XML_BYTES    | 100 MiB        | one uncompressed part of a workbook (zip bomb)    |
| YIYANG_MAX_WORKBOOK_ROWS         | 50,000         | data rows of an imported sheet                    |
| YIYANG_MAX_WORKBOOK_COLUMNS      | 100            | columns of an imported sheet                      |
| YIYANG_MAX_WORKBOOK_CELL_CHARS   | 1,000          | characters of one cell (shared strings included)  |
| YIYANG_EARLIEST_DATE             | 1900-01-01     | earliest date accepted in a query parameter       |
| YIYANG_LATEST_DATE               | 2100-12-31     | latest date accepted in a query parameter         |
| YIYANG_MAX_DATE_RANGE_DAYS       | 366            | span of a report's [start, end] range             |

An error message never repeats more than `EXCERPT_CHARS` characters of what was sent.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from yiyang.core.errors import ApplicationError, FieldError, ValidationFailed

EXCERPT_CHARS = 50

DEFAULTS: dict[str, Any] = {
    "YIYANG_MAX_REQUEST_BODY_BYTES": 2 * 1024 * 1024,
    "YIYANG_MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    "YIYANG_MAX_JSON_DEPTH": 32,
    "YIYANG_MAX_TEXT_CHARS": 2_000,
    "YIYANG_MAX_WORKBOOK_BYTES": 10 * 1024 * 1024,
    "YIYANG_MAX_WORKBOOK_XML_BYTES": 100 * 1024 * 1024,
    "YIYANG_MAX_WORKBOOK_ROWS": 50_000,
    "YIYANG_MAX_WORKBOOK_COLUMNS": 100,
    "YIYANG_MAX_WORKBOOK_CELL_CHARS": 1_000,
    "YIYANG_EARLIEST_DATE": date(1900, 1, 1),
    "YIYANG_LATEST_DATE": date(2100, 12, 31),
    "YIYANG_MAX_DATE_RANGE_DAYS": 366,
}


def limit(name: str) -> Any:
    """The current value of the limit `name` (one of DEFAULTS): the setting if given, else the default."""
    value = getattr(settings, name, DEFAULTS[name])
    if isinstance(DEFAULTS[name], date) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Limits:
    """A snapshot of all limits, for code that reads several at once (and for documentation)."""

    request_body_bytes: int
    upload_bytes: int
    json_depth: int
    text_chars: int
    workbook_bytes: int
    workbook_xml_bytes: int
    workbook_rows: int
    workbook_columns: int
    workbook_cell_chars: int
    earliest_date: date
    latest_date: date
    date_range_days: int


def current() -> Limits:
    return Limits(
        request_body_bytes=limit("YIYANG_MAX_REQUEST_BODY_BYTES"),
        upload_bytes=limit("YIYANG_MAX_UPLOAD_BYTES"),
        json_depth=limit("YIYANG_MAX_JSON_DEPTH"),
        text_chars=limit("YIYANG_MAX_TEXT_CHARS"),
        workbook_bytes=limit("YIYANG_MAX_WORKBOOK_BYTES"),
        workbook_xml_bytes=limit("YIYANG_MAX_WORKBOOK_XML_BYTES"),
        workbook_rows=limit("YIYANG_MAX_WORKBOOK_ROWS"),
        workbook_columns=limit("YIYANG_MAX_WORKBOOK_COLUMNS"),
        workbook_cell_chars=limit("YIYANG_MAX_WORKBOOK_CELL_CHARS"),
        earliest_date=limit("YIYANG_EARLIEST_DATE"),
        latest_date=limit("YIYANG_LATEST_DATE"),
        date_range_days=limit("YIYANG_MAX_DATE_RANGE_DAYS"),
    )


class TooLarge(ValidationFailed):
    """A body or upload larger than its limit; nothing of it was read further. A ValidationFailed
    (so every form that shows validation errors shows it) answered with 413."""

    status = 413
    title = "Request too large"

    @classmethod
    def single(cls, field_name: str, reason: str, code: str = "too_large") -> "TooLarge":
        return cls(reason, errors=[FieldError(field_name, reason, code)])


def excerpt(text: Any) -> str:
    """At most EXCERPT_CHARS characters of `text`, for an error message that must stay small."""
    value = str(text)
    return value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS] + "…"


def body_too_large(size: int | None, *, upload: bool) -> TooLarge:
    name = "YIYANG_MAX_UPLOAD_BYTES" if upload else "YIYANG_MAX_REQUEST_BODY_BYTES"
    bound = limit(name)
    reason = _("请求内容不能超过%(limit)s字节") % {"limit": bound}
    return TooLarge.single("__all__", reason, "body_too_large")


def check_text(field_name: str, value: str | None, *, max_chars: int | None = None) -> None:
    """Free text (notes, reasons) no longer than YIYANG_MAX_TEXT_CHARS (or `max_chars`)."""
    bound = max_chars if max_chars is not None else limit("YIYANG_MAX_TEXT_CHARS")
    if value is not None and len(value) > bound:
        raise ValidationFailed.single(field_name, _("不能超过%(limit)s个字符") % {"limit": bound}, "max_length")


# ---- dates in query parameters -------------------------------------------------------------------


def _date_range_reason() -> str:
    return _("日期须为YYYY-MM-DD格式，且在%(earliest)s至%(latest)s之间") % {
        "earliest": limit("YIYANG_EARLIEST_DATE").isoformat(),
        "latest": limit("YIYANG_LATEST_DATE").isoformat(),
    }


def check_date(field_name: str, value: date | None) -> date | None:
    """`value` if it lies within [YIYANG_EARLIEST_DATE, YIYANG_LATEST_DATE], else ValidationFailed
    naming `field_name` and the accepted range."""
    if value is None:
        return None
    if not limit("YIYANG_EARLIEST_DATE") <= value <= limit("YIYANG_LATEST_DATE"):
        raise ValidationFailed.single(field_name, _date_range_reason(), "date_out_of_range")
    return value


def parse_date(field_name: str, raw: Any) -> date | None:
    """A date query parameter: empty or absent is None; otherwise an ISO date within the accepted
    range, else ValidationFailed naming `field_name` and the range. The one parser for every date
    that comes in a URL, in the API and in pages."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, date):
        return check_date(field_name, raw)
    try:
        value = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed.single(field_name, _date_range_reason(), "invalid_date") from None
    return check_date(field_name, value)


def check_date_span(start: date, end: date, *, start_name: str = "start", end_name: str = "end") -> None:
    """`start` ≤ `end` and the range at most YIYANG_MAX_DATE_RANGE_DAYS days long."""
    days = limit("YIYANG_MAX_DATE_RANGE_DAYS")
    if start > end:
        raise ValidationFailed.single(end_name, _("结束日期不能早于开始日期"), "date_order")
    if (end - start).days + 1 > days:
        raise ValidationFailed.single(
            end_name, _("日期范围不能超过%(limit)s天") % {"limit": days}, "date_range_too_long"
        )


def from_django(exc: BaseException, request: Any = None) -> ApplicationError | None:
    """Django's lazy refusals of a body (raised when it is read) as our errors; None for others."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exc, RequestDataTooBig):
        upload = getattr(request, "content_type", "") == "multipart/form-data"
        return body_too_large(None, upload=upload)
    if isinstance(exc, TooManyFieldsSent):
        reason = _("字段数量不能超过%(limit)s个") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        return ValidationFailed.single("__all__", reason, "too_many_fields")
    if isinstance(exc, TooManyFilesSent):
        reason = _("文件数量不能超过%(limit)s个") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        return ValidationFailed.single("__all__", reason, "too_many_files")
    return None


# ---- JSON ---------------------------------------------------------------------------------------


class JsonTooDeep(ValueError):
    """A JSON document nested deeper than allowed."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        super().__init__(f"JSON nested deeper than {depth}")


def json_depth_exceeds(value: Any, max_depth: int) -> bool:
    """Whether objects/arrays in `value` nest deeper than `max_depth` (a scalar is depth 0, `[]` 1).
    Iterative, so no document can exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads_json(data: bytes | str, *, max_depth: int | None = None) -> Any:
    """Parse JSON from a request: never a RecursionError. Raises JsonTooDeep past
    YIYANG_MAX_JSON_DEPTH (or `max_depth`) and ValueError for anything that is not strict JSON
    (NaN and Infinity included)."""
    import orjson  # C parser with its own hard nesting bound, so it cannot exhaust the stack

    bound = max_depth if max_depth is not None else limit("YIYANG_MAX_JSON_DEPTH")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc).lower() or "recursion" in str(exc).lower():
            raise JsonTooDeep(bound) from None
        raise  # a json.JSONDecodeError (orjson's subclasses it), with line and column
    if json_depth_exceeds(value, bound):
        raise JsonTooDeep(bound)
    return value


def json_too_deep_error(depth: int, field_name: str = "__all__") -> ValidationFailed:
    reason = _("JSON嵌套层数不能超过%(limit)s层") % {"limit": depth}
    return ValidationFailed.single(field_name, reason, "json_too_deep")
