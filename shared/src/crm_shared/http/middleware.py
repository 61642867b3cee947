"""Request id, trace context, access log line and latency metric for every request.

The request id is the caller's `X-Request-ID` when it is short printable text, else a new UUID. The trace
continues the caller's W3C `traceparent` or starts one (`crm_shared.tracing`). Both are on
`request.state`, bound into every log line of the request (`request_id`, `trace_id`), answered in the
response headers, and carried into the events the request writes.
"""

import re
import time
import uuid

import structlog
from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_shared import tracing
from crm_shared.observability import HTTP_LATENCY
from crm_shared.settings import HttpLimits

REQUEST_ID_HEADER = "X-Request-ID"
TRACEPARENT_HEADER = "traceparent"
QUIET_ROUTES = frozenset({"/livez", "/healthz", "/readyz", "/metrics"})
_PRINTABLE = re.compile(r"^[\x20-\x7e]+$")
log = structlog.get_logger()


def install_request_middleware(app: FastAPI, limits: HttpLimits) -> None:
    """Install last, so that it is outermost: every answer (the edge's refusals too) carries the ids."""
    app.add_middleware(RequestContext, limits=limits)


class RequestContext:
    def __init__(self, app: ASGIApp, *, limits: HttpLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = self._request_id(headers.get(REQUEST_ID_HEADER))
        traceparent = tracing.continue_or_start(headers.get(TRACEPARENT_HEADER))
        state = scope.setdefault("state", {})
        state["request_id"], state["traceparent"] = request_id, traceparent
        status = 500

        async def send_with_context(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = MutableHeaders(scope=message)
                answered[REQUEST_ID_HEADER] = request_id
                answered[TRACEPARENT_HEADER] = traceparent
            await send(message)

        started = time.perf_counter()
        trace_id = tracing.trace_id_of(traceparent)
        with structlog.contextvars.bound_contextvars(request_id=request_id, trace_id=trace_id):
            try:
                await self.app(scope, receive, send_with_context)
            finally:
                _observe(scope, status, time.perf_counter() - started)

    def _request_id(self, given: str | None) -> str:
        """The caller's id when it is safe to log and answer (the edge refuses a bad one with 422)."""
        if given and len(given) <= self.limits.max_request_id_chars and _PRINTABLE.match(given):
            return given
        return str(uuid.uuid4())


def _observe(scope: Scope, status: int, elapsed: float) -> None:
    route = getattr(scope.get("route"), "path", "unmatched")
    HTTP_LATENCY.labels(scope["method"], route, str(status)).observe(elapsed)
    if route not in QUIET_ROUTES:
        log.info(
            "http.request.handled",
            method=scope["method"],
            route=route,
            status=status,
            duration_ms=round(elapsed * 1000, 2),
        )
