"""The FastAPI application every service serves: its routers plus health, readiness and metrics."""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI

from crm_shared.auth import TokenVerifier
from crm_shared.http.health import ReadinessCheck, operations_router
from crm_shared.http.middleware import install_request_middleware
from crm_shared.http.problems import install_problem_handlers
from crm_shared.settings import AuthSettings


def create_app(
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    auth: AuthSettings,
    readiness: dict[str, ReadinessCheck],
    liveness: dict[str, ReadinessCheck] | None = None,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    state: dict[str, Any] | None = None,
) -> FastAPI:
    app = FastAPI(title=title, description=description, version="1", lifespan=lifespan)
    app.state.token_verifier = TokenVerifier(auth)
    for key, value in (state or {}).items():
        setattr(app.state, key, value)
    install_problem_handlers(app)
    install_request_middleware(app)
    app.include_router(operations_router(readiness, liveness))
    for router in routers:
        app.include_router(router)
    return app
