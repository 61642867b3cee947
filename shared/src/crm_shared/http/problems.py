"""RFC 9457 problem details for every error, naming the fields at fault for invalid input.

Answers are bounded: at most `max_field_errors` fields are listed (`errors_omitted` counts the rest), and
no input is echoed back beyond a shortened field name. A database that cannot be reached answers 503 with
`Retry-After`; stored data that the input clashes with answers 409 (or 422), naming the columns.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Table
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_shared.errors import CrmError
from crm_shared.http.characters import FieldError, printable
from crm_shared.http.database_errors import Clash, Unavailable, classify
from crm_shared.http.multipart_check import InputRefused
from crm_shared.settings import HttpLimits

PROBLEM_JSON = "application/problem+json"
MAX_MESSAGE_CHARS = 300
_UNNAMED: FieldError = {"field": "", "message": "", "type": ""}
log = structlog.get_logger()


def problem_response(
    *,
    instance: str,
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"https://errors.crm.local/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": printable(instance),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem(
    request: Request, *, status: int, title: str, detail: str, code: str, **extra: Any
) -> JSONResponse:
    return problem_response(
        instance=request.url.path, status=status, title=title, detail=detail, code=code, **extra
    )


def invalid_input(instance: str, errors: list[FieldError], limits: HttpLimits) -> JSONResponse:
    """422 naming at most `limits.max_field_errors` fields, with the count of those left out."""
    shown = [_bounded(e) for e in errors[: limits.max_field_errors]]
    omitted = len(errors) - len(shown)
    fields = ", ".join(e["field"] for e in shown) + (f" and {omitted} more" if omitted else "")
    extra: dict[str, Any] = {"errors": shown} | ({"errors_omitted": omitted} if omitted else {})
    return problem_response(
        instance=instance,
        status=422,
        title="Invalid input",
        detail=f"invalid fields: {fields}",
        code="invalid_input",
        **extra,
    )


def field_errors(exc: RequestValidationError, limit: int | None = None) -> list[FieldError]:
    """pydantic's errors without their `input` (which may be huge, or personal data); the first `limit`
    ones and a placeholder for each of the others, which only count."""
    errors = exc.errors()
    shown = errors if limit is None else errors[:limit]
    named = [
        {
            "field": ".".join(str(part) for part in error["loc"]),
            "message": error["msg"],
            "type": error["type"],
        }
        for error in shown
    ]
    return named + [_UNNAMED] * (len(errors) - len(shown))


def limits_of(request: Request) -> HttpLimits:
    limits = getattr(request.app.state, "http_limits", None)
    return limits if isinstance(limits, HttpLimits) else HttpLimits()


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(CrmError)
    async def crm_error(request: Request, exc: CrmError) -> JSONResponse:
        extra = _bounded_extra(exc.extra, limits_of(request))
        return problem(request, status=exc.status, title=exc.title, detail=exc.detail, code=exc.code, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        limits = limits_of(request)
        return invalid_input(request.url.path, field_errors(exc, limits.max_field_errors), limits)

    @app.exception_handler(InputRefused)
    async def refused(request: Request, exc: InputRefused) -> JSONResponse:
        return invalid_input(request.url.path, exc.errors, limits_of(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        return problem_response(
            instance=request.url.path,
            status=exc.status_code,
            title=detail,
            detail=detail,
            code="http",
            headers=exc.headers,
        )

    for database_error in (SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        app.add_exception_handler(database_error, _database_error)

    app.add_exception_handler(Exception, _unexpected)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    meaning = classify(exc, _tables(request))
    if isinstance(meaning, Unavailable):
        retry_after = limits_of(request).retry_after_s
        # Expected while the database restarts: one line, no traceback per request.
        log.warning("http.database.unavailable", path=request.url.path, cause=meaning.cause)
        return problem(
            request,
            status=503,
            title="Service unavailable",
            detail=f"the database cannot be reached right now: retry in {retry_after} s",
            code="unavailable",
            headers={"Retry-After": str(retry_after)},
        )
    if isinstance(meaning, Clash):
        return _clash(request, meaning)
    return await _unexpected(request, exc)


def _tables(request: Request) -> Iterable[Table]:
    """The service's tables (its runtime's), whose constraints name the columns of a clash."""
    tables = getattr(getattr(request.app.state, "runtime", None), "tables", {})
    return tables.values() if isinstance(tables, Mapping) else ()


def _clash(request: Request, clash: Clash) -> JSONResponse:
    log.info("http.request.refused_by_database", code=clash.code, columns=list(clash.columns))
    named = ", ".join(clash.columns)
    errors = [{"field": column, "message": clash.message, "type": clash.code} for column in clash.columns]
    return problem(
        request,
        status=clash.status,
        title="Conflict" if clash.status == 409 else "Invalid input",
        detail=f"{named}: {clash.message}" if named else clash.message,
        code=clash.code,
        errors=errors,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("http.request.crashed", path=request.url.path, exc_info=exc)
    return problem(
        request,
        status=500,
        title="Internal error",
        detail="the request failed; it changed nothing",
        code="internal",
    )


def _bounded_extra(extra: dict[str, Any], limits: HttpLimits) -> dict[str, Any]:
    errors = extra.get("errors")
    if not isinstance(errors, list) or len(errors) <= limits.max_field_errors:
        return extra
    shown = [_bounded(e) for e in errors[: limits.max_field_errors]]
    return extra | {"errors": shown, "errors_omitted": len(errors) - len(shown)}


def _bounded(error: FieldError) -> FieldError:
    message = error.get("message", "")
    shortened = message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS] + "..."
    return {**error, "field": printable(error.get("field", "")), "message": shortened}
