"""The FastAPI application every service serves: its routers plus health, readiness and metrics."""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from crm_shared.auth import TokenVerifier
from crm_shared.http.edge import install_edge_guard
from crm_shared.http.health import ReadinessCheck, operations_router
from crm_shared.http.middleware import install_request_middleware
from crm_shared.http.openapi import install_error_responses
from crm_shared.http.problems import install_problem_handlers
from crm_shared.http.routes import Mount, mount_all
from crm_shared.settings import AuthSettings, HttpLimits


def create_app(
    *,
    title: str,
    description: str,
    routers: Sequence[Mount | APIRouter],
    auth: AuthSettings,
    readiness: dict[str, ReadinessCheck],
    liveness: dict[str, ReadinessCheck] | None = None,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    state: dict[str, Any] | None = None,
    limits: HttpLimits | None = None,
) -> FastAPI:
    # /docs and /redoc load Swagger UI and ReDoc from the service itself, not from a CDN, and ask no
    # outside validator about the document.
    app = FastAPIOffline(
        title=title,
        description=description,
        version="1",
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.token_verifier = TokenVerifier(auth)
    for key, value in (state or {}).items():
        setattr(app.state, key, value)
    _install_edge(app, limits or HttpLimits())
    app.include_router(operations_router(readiness, liveness))
    mount_all(app, routers)
    return app


def _install_edge(app: FastAPI, limits: HttpLimits) -> None:
    app.state.http_limits = limits
    install_problem_handlers(app)
    install_error_responses(app)
    install_edge_guard(app, limits)
    install_request_middleware(app, limits)
