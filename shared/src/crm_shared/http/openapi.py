"""Every operation documents its error answers as RFC 9457 problems, by the same rules for every service.

401 and 403 where a token is required; 404 where the path names a record; 409 on writes (a refused
transition, a uniqueness clash); 412 with If-Match; 413 with a body; 422 always (`X-Request-ID`, also
documented on every operation, is input too); 503 wherever the database is used. Answers the routes
declare themselves (429, 410...) keep their descriptions and get the problem media type. Each problem
answer is `application/problem+json` with the shared `Problem` schema.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from crm_shared.http.problems import PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"
OPERATIONS_TAG = "operations"
"""Probes and metrics: they answer without the database (readiness reports it in its own document)."""
WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = WRITES | {"get", "head", "options", "trace"}
DESCRIPTIONS = {
    401: "No valid bearer token",
    403: "The caller's roles do not allow this",
    404: "No such record",
    409: "Refused in the record's current state, or a value already used by another record",
    412: "If-Match names a version that is no longer current",
    413: "The body is too large",
    422: "Invalid input: `errors` names each field at fault",
    429: "Too many requests: retry after `Retry-After` seconds",
    503: "The database cannot be reached: retry after `Retry-After` seconds",
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}
REQUEST_ID_PARAMETER = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": "Correlates logs and the events the request writes; answered back (a new one if absent)",
    "schema": {"type": "string", "maxLength": 128},
}
SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "title": "Problem",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
            "errors_omitted": {"type": "integer", "description": "Fields at fault beyond those listed"},
        },
        "additionalProperties": True,
    },
    "ProblemFieldError": {
        "type": "object",
        "title": "ProblemFieldError",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "e.g. `body.contacts.0.name`, `query.q`"},
            "message": {"type": "string"},
            "type": {"type": "string"},
        },
    },
}


def install_error_responses(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi
    documented = False

    def openapi() -> dict[str, Any]:
        nonlocal documented
        document = generate()  # FastAPI builds it once and keeps it
        if not documented:
            document_errors(document)
            documented = True
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def document_errors(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(SCHEMAS)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                _document_operation(path, method, operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name", "").lower() == "x-request-id" for p in parameters):
        parameters.append(dict(REQUEST_ID_PARAMETER))
    responses = operation.setdefault("responses", {})
    for status in _statuses(path, method, operation):
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            _as_problem(int(status), response)


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    headers = {p["name"].lower() for p in operation["parameters"] if p.get("in") == "header"}
    conditions = {
        401: bool(operation.get("security")),
        403: bool(operation.get("security")),
        404: "{" in path,
        409: method in WRITES,
        412: "if-match" in headers,
        413: "requestBody" in operation,
        422: True,
        503: OPERATIONS_TAG not in operation.get("tags", []),
    }
    return [status for status, applies in conditions.items() if applies]


def _as_problem(status: int, response: dict[str, Any]) -> None:
    content = response.get("content", {})
    if any(media not in ("application/json", PROBLEM_JSON) for media in content) or _has_own_schema(content):
        return  # a route's own answer (a document, a file), described by the route
    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
    if status in (429, 503):
        response.setdefault("headers", {}).update(RETRY_AFTER)
    if status == 422 and response.get("description") == "Validation Error":
        response["description"] = DESCRIPTIONS[422]


def _has_own_schema(content: dict[str, Any]) -> bool:
    schema = content.get("application/json", {}).get("schema", {})
    return bool(schema) and schema.get("$ref") != "#/components/schemas/HTTPValidationError"
