"""Runs one service in-process against real PostgreSQL and Kafka, for its integration tests."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from crm_shared.auth import Role, issue_dev_token
from crm_shared.db.migrations import upgrade
from crm_shared.runtime import ALL_ROLES, ProcessRole, ServiceDefinition, ServiceRuntime
from crm_shared.settings import AuthSettings


@dataclass
class RunningService:
    runtime: ServiceRuntime[Any]
    http: httpx.AsyncClient


@asynccontextmanager
async def running_service(
    definition: ServiceDefinition[Any], roles: frozenset[ProcessRole] = ALL_ROLES
) -> AsyncIterator[RunningService]:
    """Migrate the service's database, start its roles, and stop them cleanly afterwards."""
    if definition.migrations is not None:
        # Alembic's env runs its own event loop: keep it off this one.
        await asyncio.to_thread(
            upgrade, database_url=definition.settings.database_url, script_location=definition.migrations
        )
    runtime = ServiceRuntime(definition, roles)
    app = runtime.app()
    await runtime.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    try:
        yield RunningService(runtime, client)
    finally:
        await client.aclose()
        await runtime.stop()


def auth_headers(user_id: str, *roles: Role, team: str | None = None) -> dict[str, str]:
    token = issue_dev_token(AuthSettings(), user_id=user_id, roles=list(roles), team=team)
    return {"Authorization": f"Bearer {token}"}


async def wait_listening(port: int, timeout_s: float = 10.0) -> None:
    """Until something accepts connections on the loopback `port` (a listener that a background task
    of the service starts a moment after the runtime, such as the SMTP receiver)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            await writer.wait_closed()
            return
