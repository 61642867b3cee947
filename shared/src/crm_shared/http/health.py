"""Operations endpoints of every service: liveness, readiness and metrics.

- `/livez` (and its older name `/healthz`): the process works: its event loop answers and its
  `liveness` checks pass (a background task that died never comes back: restart). Nothing outside
  the process is checked: a database or broker outage must not get processes restarted.
- `/readyz`: the checks of the process's roles (see `ServiceRuntime.readiness`); 503 naming each
  failed check. A check raising `NotReady` is shown with its message, any other error by its class.
- `/metrics`: Prometheus.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from crm_shared.observability import NotReady

ReadinessCheck = Callable[[], Awaitable[None]]
CHECK_TIMEOUT_S = 4.0  # under the probes' 5 s, so a hung dependency reads as a failed check


def operations_router(
    readiness: Mapping[str, ReadinessCheck], liveness: Mapping[str, ReadinessCheck] | None = None
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/livez")
    async def livez() -> JSONResponse:
        failed = {
            name: v for name, v in zip(liveness or {}, await _verdicts(liveness), strict=True) if v != "ok"
        }
        if failed:
            return JSONResponse({"status": "failed", "checks": failed}, status_code=503)
        return JSONResponse({"status": "ok"})

    router.add_api_route("/healthz", livez, methods=["GET"], summary="Livez (older name)")

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = dict(zip(readiness, await _verdicts(readiness), strict=True))
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _verdicts(checks: Mapping[str, ReadinessCheck] | None) -> list[str]:
    """Run together: one time bound for all of them."""
    return list(await asyncio.gather(*(_verdict(check) for check in (checks or {}).values())))


async def _verdict(check: ReadinessCheck) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
    except NotReady as exc:
        return f"failed: {exc}"
    except Exception as exc:  # the class only: a driver's message may carry an address or a query
        return f"failed: {exc.__class__.__name__}"
    return "ok"
