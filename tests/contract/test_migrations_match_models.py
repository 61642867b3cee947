"""Each service's Alembic chain builds exactly the schema its tables declare: no drift."""

import asyncio
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from crm_shared.db.migrations import PLUMBING_TABLES, upgrade
from crm_shared.infra.stack import SERVICES

pytestmark = pytest.mark.integration


def _differences(connection: Connection, metadata) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_build_the_declared_schema(service, make_database):
    bootstrap = importlib.import_module(f"crm_{service}.bootstrap")
    definition = bootstrap.definition()
    url = make_database(f"drift_{service}")
    await asyncio.to_thread(upgrade, database_url=url, script_location=definition.migrations)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences, definition.metadata)
    finally:
        await engine.dispose()
    # The plumbing tables come from create_plumbing_tables(), defined in the same place as their models.
    assert [d for d in differences if not _about_plumbing(d)] == []


def _about_plumbing(difference) -> bool:
    flat = difference if isinstance(difference, tuple) else difference[0]
    return any(
        getattr(part, "name", None) in PLUMBING_TABLES
        or getattr(getattr(part, "table", None), "name", None) in PLUMBING_TABLES
        for part in flat
        if not isinstance(part, str)
    )
