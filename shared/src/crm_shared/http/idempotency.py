"""`Idempotency-Key` on POSTs that clients may retry: the first request's response is replayed.

The key row (key + principal + route + request hash + response) is written in the SAME transaction as the
use case's effects, so a crash never leaves a stored response without its effects, nor effects without
their response. The key is inserted first: a concurrent request with the same key blocks on the primary
key until the first transaction ends, then replays its response (or, if the first rolled back, runs).
A request that failed (an error problem) stores nothing: its transaction rolled back, so a retry re-runs.

A service defines the table on its MetaData with `define_idempotency_table` and runs its endpoints through
`execute_idempotent`.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Header
from fastapi import Response as HttpResponse
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_shared.auth import Principal
from crm_shared.db.unit_of_work import SqlUnitOfWork
from crm_shared.errors import CrmError
from crm_shared.service_layer import Bus

IDEMPOTENCY_TABLE = "idempotency_keys"
REPLAYED_HEADER = "Idempotent-Replayed"
R = TypeVar("R")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retrying with the same key replays the first response instead of acting twice.",
    ),
]


def define_idempotency_table(metadata: MetaData) -> Table:
    return Table(
        IDEMPOTENCY_TABLE,
        metadata,
        Column("principal", String(128), nullable=False),
        Column("route", String(255), nullable=False),
        Column("key", String(255), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer),
        Column("response_body", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("principal", "route", "key", name="pk_idempotency_keys"),
    )


class KeyReused(CrmError):
    """The key was already used for a different request (another body or parameters)."""

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used for a different request",
            422,
            "Invalid input",
            "idempotency_key_reused",
            {"errors": [{"field": "header.Idempotency-Key", "message": "reused for another request"}]},
        )


@dataclass(frozen=True)
class Response:
    """A response as sent: its JSON text is stored, so that a replay is byte for byte the same."""

    status_code: int
    content: str
    replayed: bool = False

    @classmethod
    def json(cls, status_code: int, body: Any) -> "Response":
        return cls(status_code, json.dumps(body, ensure_ascii=False, separators=(",", ":")))

    def as_http(self) -> HttpResponse:
        headers = {REPLAYED_HEADER: "true"} if self.replayed else None
        return HttpResponse(self.content, self.status_code, headers, media_type="application/json")


def request_hash(request: object) -> str:
    """Digest of everything that defines the request (path parameters and body), canonically encoded."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(
    connection: AsyncConnection, table: Table, *, principal: str, route: str, key: str, digest: str
) -> Response | None:
    """None when this request owns the key now; else the stored response to replay (waits if in flight)."""
    ident = {"principal": principal, "route": route, "key": key}
    inserted = await connection.execute(
        pg_insert(table).values(**ident, request_hash=digest).on_conflict_do_nothing().returning(table.c.key)
    )
    if inserted.first() is not None:
        return None
    row = (
        await connection.execute(
            select(table.c.request_hash, table.c.status_code, table.c.response_body).where(
                *(table.c[name] == value for name, value in ident.items())
            )
        )
    ).one()
    if row.request_hash != digest:
        raise KeyReused()
    return Response(row.status_code, row.response_body, replayed=True)


async def store(
    connection: AsyncConnection, table: Table, *, principal: str, route: str, key: str, response: Response
) -> None:
    await connection.execute(
        update(table)
        .where(table.c.principal == principal, table.c.route == route, table.c.key == key)
        .values(status_code=response.status_code, response_body=response.content)
    )


async def execute_idempotent(
    bus: Bus[Any],
    use_case: Callable[..., Awaitable[R]],
    /,
    *,
    table: Table,
    key: str | None,
    route: str,
    request: object,
    render: Callable[[R], Response],
    **kwargs: Any,
) -> Response:
    """Run `use_case` once per key: its effects, its rendered response and the key commit together."""
    if key is None:
        return render(await bus.execute(use_case, **kwargs))
    digest = request_hash(request)

    async def once(*, uow: SqlUnitOfWork, actor: Principal, **arguments: Any) -> Response:
        scope = {"principal": actor.user_id, "route": route, "key": key}
        stored = await claim(uow.connection, table, **scope, digest=digest)
        if stored is not None:
            return stored
        response = render(await use_case(uow=uow, actor=actor, **arguments))
        await store(uow.connection, table, **scope, response=response)
        return response

    return await bus.execute(once, **kwargs)


async def purge(connection: AsyncConnection, table: Table, *, older_than: datetime) -> int:
    """Forget keys older than the retry horizon (run from a periodic job)."""
    result = await connection.execute(delete(table).where(table.c.created_at < older_than))
    return result.rowcount


DEFAULT_RETENTION = timedelta(hours=24)
