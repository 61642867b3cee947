"""Alembic plumbing shared by every service's migration chain.

A service's `migrations/env.py` is one call to `run_env(metadata)`; its first revision calls
`create_plumbing_tables()`. Migrations run under an advisory lock, so several instances starting at
once apply each revision exactly once.
"""

import asyncio
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from crm_shared.db.plumbing import define_plumbing_tables

_MIGRATION_LOCK = 0x43524D4D  # "CRMM": one migration run at a time per database


def alembic_config(*, database_url: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(*, database_url: str, script_location: Path, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url=database_url, script_location=script_location), revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of a service's env.py: online migrations over asyncpg."""
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set")
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            await connection.commit()
            try:
                await connection.run_sync(_run_sync, target_metadata)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                await connection.commit()
    finally:
        await engine.dispose()


def _run_sync(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def create_plumbing_tables() -> None:
    """First revision of every service: the outbox and inbox tables as defined in `plumbing`."""
    metadata = MetaData()
    define_plumbing_tables(metadata)
    metadata.create_all(op.get_bind())


def drop_plumbing_tables() -> None:
    metadata = MetaData()
    define_plumbing_tables(metadata)
    metadata.drop_all(op.get_bind())
