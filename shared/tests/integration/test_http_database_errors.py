"""What the database says reaches the caller as a problem, never a 500, on real PostgreSQL: out of reach
(refused, connection killed, pool exhausted) is 503 with Retry-After; a clash with stored data is 409 or
422 naming the columns from the constraint's definition, without echoing the stored values."""

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest
from fastapi import APIRouter, Request
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, UniqueConstraint, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from crm_shared.db import create_engine, make_metadata
from crm_shared.http import create_app
from crm_shared.infra.process import free_port
from crm_shared.settings import AuthSettings

pytestmark = pytest.mark.integration

metadata = make_metadata()
pipelines = Table(
    "pipelines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
)
stages = Table(
    "stages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pipeline_id", Integer, ForeignKey("pipelines.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("probability", Integer, CheckConstraint("probability BETWEEN 0 AND 100", name="range")),
    UniqueConstraint("pipeline_id", "position"),
)
router = APIRouter()


@router.post("/sql")
async def run(request: Request) -> dict[str, str]:
    """Runs the statements of the body in one transaction, as a use case would."""
    engine: AsyncEngine = request.app.state.engine
    async with engine.begin() as connection:
        for statement in (await request.json())["statements"]:
            await connection.execute(text(statement))
    return {"done": "yes"}


@router.post("/unstorable")
async def unstorable(request: Request) -> dict[str, str]:
    """A value the route made itself (past the edge's checks), that PostgreSQL cannot store."""
    async with request.app.state.engine.begin() as connection:
        await connection.execute(pipelines.insert().values(id=99, name="a\x00b"))
    return {"done": "yes"}


def client(engine: AsyncEngine) -> httpx.AsyncClient:
    app = create_app(
        title="t",
        description="d",
        routers=[router],
        auth=AuthSettings(),
        readiness={},
        state={"engine": engine, "runtime": SimpleNamespace(tables=dict(metadata.tables))},
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture(scope="module")
async def database(make_database) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(make_database("edge_errors"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(pipelines.insert().values(id=1, name="secret-name@example.com"))
        await connection.execute(stages.insert().values(id=1, pipeline_id=1, position=1, probability=10))
    yield engine
    await engine.dispose()


async def sql(engine: AsyncEngine, *statements: str) -> httpx.Response:
    async with client(engine) as http:
        return await http.post("/sql", json={"statements": list(statements)})


@pytest.mark.parametrize(
    ("statement", "status", "code", "fields"),
    [
        ("INSERT INTO pipelines VALUES (2, 'secret-name@example.com')", 409, "already_exists", ["name"]),
        ("INSERT INTO stages VALUES (2, 1, 1, 50)", 409, "already_exists", ["pipeline_id", "position"]),
        ("INSERT INTO pipelines VALUES (1, 'other')", 409, "already_exists", ["id"]),
        ("INSERT INTO stages VALUES (3, 42, 2, 50)", 422, "unknown_reference", ["pipeline_id"]),
        ("DELETE FROM pipelines WHERE id = 1", 409, "still_referenced", ["pipeline_id"]),
        ("INSERT INTO stages VALUES (4, 1, NULL, 50)", 422, "constraint_violated", ["position"]),
        ("INSERT INTO stages VALUES (5, 1, 3, 101)", 422, "constraint_violated", []),
        ("INSERT INTO pipelines VALUES (6, repeat('x', 100))", 422, "unstorable_value", []),
    ],
)
async def test_a_clash_with_stored_data_names_the_columns_and_keeps_the_values_to_itself(
    database, statement, status, code, fields
):
    response = await sql(database, statement)
    problem = response.json()
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["type"].endswith(f"/{code}")
    assert [e["field"] for e in problem.get("errors", [])] == fields
    assert "secret-name" not in response.text
    assert "INSERT" not in response.text
    assert "DELETE" not in response.text


async def test_a_racing_create_that_hits_the_unique_constraint_is_a_409(database):
    """The second writer waits on the first one's uncommitted row; when that commits, it clashes."""
    async with database.connect() as first:
        transaction = await first.begin()
        await first.execute(pipelines.insert().values(id=10, name="racing"))
        second = asyncio.ensure_future(sql(database, "INSERT INTO pipelines VALUES (11, 'racing')"))
        await wait_for_lock_waiter(database)
        await transaction.commit()
        response = await second
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "name", "message": "already used by another record", "type": "already_exists"}
    ]


async def test_a_value_postgresql_cannot_store_is_a_422_not_a_500(database):
    async with client(database) as http:
        response = await http.post("/unstorable")
    assert response.status_code == 422
    assert response.json()["type"].endswith("/unstorable_value")


async def test_a_refused_connection_is_a_503_with_retry_after_logged_once_without_traceback(capsys):
    engine = create_engine(f"postgresql+asyncpg://crm:crm@127.0.0.1:{free_port()}/nowhere")
    capsys.readouterr()
    response = await sql(engine, "SELECT 1")
    await engine.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
    printed = capsys.readouterr()
    logged = printed.out + printed.err
    (line,) = [line for line in logged.splitlines() if "http.database.unavailable" in line]
    assert "warning" in line
    assert "ConnectionRefusedError" in line
    assert "Traceback" not in logged


async def test_a_connection_killed_during_the_request_is_a_503(database):
    response = await sql(database, "SELECT pg_terminate_backend(pg_backend_pid())")
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert (await sql(database, "SELECT 1")).status_code == 200  # the pool heals by itself


async def test_an_exhausted_pool_is_a_503(database):
    small = create_async_engine(database.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        async with small.connect() as held:
            await held.execute(text("SELECT 1"))
            response = await sql(small, "SELECT 1")
    finally:
        await small.dispose()
    assert response.status_code == 503


async def wait_for_lock_waiter(engine: AsyncEngine) -> None:
    """Until a backend of this database waits on a lock (the second insert, on the unique index)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(500):
        async with engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the second insert never waited on the first")
