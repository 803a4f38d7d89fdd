"""OpenAPI schema glue (drf-spectacular): the shared error body and the error answers of every operation.

Every API error has one body (`yiyang.core.api.exception_handler`). Rather than each view listing the
4xx answers it can give, `document_errors` (a drf-spectacular postprocessing hook) adds them to every
operation from what the operation itself shows, so a new endpoint is covered without any decorator:

- 400 any operation that takes input (a body, a path or a query parameter): validation and parse errors;
- 401 any operation that needs an account; 403 any operation (a missing permission, a locked-out login);
- 404 any operation: a record named in the path, the query or the body is missing or out of reach
  (one answer for both), an unknown page, or an account placed nowhere the operation applies (a
  district's policy asked by an account without a district);
- 409 any write (POST/PUT/PATCH/DELETE): a concurrent change or an Idempotency-Key still in flight;
- 413 and 415 any operation with a request body (too large; a content type it does not parse);
- 429 any operation (rate limits and login throttling).

An optional query parameter may be given empty (`?street=`, as an HTML form sends "any"): unless its
description says otherwise, that is the same as leaving it out. The hook documents it
(`allowEmptyValue`) and `tests/test_api_schema.py` holds every list to it. An answer a view documents
with its own body is kept; one it documents without a body gets the shared error body. Path parameters named `public_id` or `*_id` are public UUIDs and are documented as such
(the URLs accept any string so that a malformed id answers the same JSON 404 as a missing one).
"""

from typing import Any

ERROR_COMPONENT = "Error"
FIELD_ERROR_COMPONENT = "FieldError"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: every bad field is named in `errors`.",
    "401": "No valid credentials (token or session).",
    "403": "Not permitted: the account lacks the permission, or the login is locked.",
    "404": "Not found, or out of the account's jurisdiction (the same answer for both).",
    "409": "Conflict: a concurrent change, or an Idempotency-Key whose first request is still running.",
    "413": "The request body or a field is larger than the limit named in the answer.",
    "415": "The request body's content type is not accepted.",
    "429": "Too many requests (a rate limit or login throttling); retry later.",
}

EMPTY_QUERY_VALUE = "An empty value is the same as leaving the parameter out."

WRITE_METHODS = {"post", "put", "patch", "delete"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}


def _error_schemas() -> dict[str, Any]:
    return {
        FIELD_ERROR_COMPONENT: {
            "type": "object",
            "description": "One problem with one field (and the Excel row, for an import).",
            "properties": {
                "field": {"type": "string", "description": "`__all__` for the request as a whole."},
                "reason": {"type": "string"},
                "code": {"type": "string"},
                "row": {"type": "integer", "description": "The Excel row, for roster imports."},
            },
            "required": ["field", "reason", "code"],
        },
        ERROR_COMPONENT: {
            "type": "object",
            "description": "The body of every API error.",
            "properties": {
                "status": {"type": "integer"},
                "title": {"type": "string"},
                "detail": {"type": "string"},
                "errors": {"type": "array", "items": {"$ref": f"#/components/schemas/{FIELD_ERROR_COMPONENT}"}},
            },
            "required": ["status", "title", "detail", "errors"],
        },
    }


def _is_public_id(name: str) -> bool:
    return name == "public_id" or name.endswith("_id")


def _needs_account(operation: dict[str, Any], default_security: list[Any]) -> bool:
    security = operation.get("security", default_security)
    return bool(security) and {} not in security


def error_codes_for(method: str, operation: dict[str, Any], default_security: list[Any] | None = None) -> list[str]:
    """The 4xx answers an operation can give, from its method, parameters, body and security."""
    parameters = operation.get("parameters", [])
    has_path = any(p.get("in") == "path" for p in parameters)
    has_query = any(p.get("in") == "query" for p in parameters)
    has_body = "requestBody" in operation
    codes = []
    if has_body or has_path or has_query or method in WRITE_METHODS:
        codes.append("400")
    if _needs_account(operation, default_security or []):
        codes.append("401")
    codes.append("403")
    codes.append("404")
    if method in WRITE_METHODS:
        codes.append("409")
    if has_body:
        codes += ["413", "415"]
    codes.append("429")
    return codes


def _error_response(code: str) -> dict[str, Any]:
    return {"description": ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": ERROR_REF}}}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the shared error body on every operation's 4xx answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_error_schemas())
    default_security = result.get("security", [])
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and _is_public_id(parameter["name"]):
                    parameter["schema"] = {"type": "string", "format": "uuid"}
                elif parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
                    description = parameter.get("description", "")
                    if "empty" not in description.lower():  # unless it says what empty means itself
                        parameter["description"] = f"{description} {EMPTY_QUERY_VALUE}".strip()
            responses = operation.setdefault("responses", {})
            for code in error_codes_for(method, operation, default_security):
                responses.setdefault(code, _error_response(code))
            for code, response in responses.items():
                if code.startswith("4") and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
                    if code in ERROR_DESCRIPTIONS and not response.get("description"):
                        response["description"] = ERROR_DESCRIPTIONS[code]
    return result
