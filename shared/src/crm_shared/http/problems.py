"""RFC 9457 problem details for every error, naming the fields at fault for invalid input."""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_shared.errors import CrmError

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger()


def problem(
    request: Request, *, status: int, title: str, detail: str, code: str, **extra: Any
) -> JSONResponse:
    body = {
        "type": f"https://errors.crm.local/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in error["loc"]),
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(CrmError)
    async def crm_error(request: Request, exc: CrmError) -> JSONResponse:
        return problem(
            request,
            status=exc.status,
            title=exc.title,
            detail=exc.detail,
            code=exc.code,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem(
            request,
            status=422,
            title="Invalid input",
            detail=f"invalid fields: {fields}",
            code="invalid_input",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(
            request,
            status=exc.status_code,
            title=str(exc.detail),
            detail=str(exc.detail),
            code="http",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.request.crashed", path=request.url.path)
        return problem(
            request,
            status=500,
            title="Internal error",
            detail="the request failed; it changed nothing",
            code="internal",
        )
