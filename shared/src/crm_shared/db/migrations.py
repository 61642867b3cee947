"""Alembic plumbing shared by every service's migration chain.

A service's `migrations/env.py` is one call to `run_env(metadata)`; its first revision calls
`create_plumbing_tables()`. Migrations run under an advisory lock, so several instances starting at
once apply each revision exactly once.
"""

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context, op
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from crm_shared.db.plumbing import INBOX, OUTBOX, define_plumbing_tables

PLUMBING_TABLES = frozenset({INBOX, OUTBOX})

_MIGRATION_LOCK = 0x43524D4D  # "CRMM": one migration run at a time per database


def alembic_config(*, database_url: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(*, database_url: str, script_location: Path, revision: str = "heads") -> None:
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
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=_not_plumbing,
    )
    with context.begin_transaction():
        context.run_migrations()


def _not_plumbing(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate leaves the outbox and inbox to `create_plumbing_tables`."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table not in PLUMBING_TABLES


def revision(*, database_url: str, script_location: Path, message: str) -> None:
    """Autogenerate the next revision by diffing the models against a database at head."""
    config = alembic_config(database_url=database_url, script_location=script_location)
    command.upgrade(config, "head")
    heads = ScriptDirectory.from_config(config).get_heads()
    next_id = f"{int(heads[0]) + 1:04d}" if heads else "0001"
    script = command.revision(config, message=message, autogenerate=True, rev_id=next_id)
    if not heads and script is not None and not isinstance(script, list):
        _add_plumbing(Path(script.path))


def _add_plumbing(path: Path) -> None:
    """The first revision creates the outbox and inbox before the service's own tables."""
    source = path.read_text()
    imports = "from crm_shared.db.migrations import create_plumbing_tables, drop_plumbing_tables\n"
    source = source.replace("from alembic import op\n", f"from alembic import op\n\n{imports}", 1)
    first_line = "def upgrade() -> None:\n"
    source = source.replace(first_line, f"{first_line}    create_plumbing_tables()\n", 1)
    path.write_text(source.rstrip("\n") + "\n    drop_plumbing_tables()\n")


def create_plumbing_tables() -> None:
    """First revision of every service: the outbox and inbox tables as defined in `plumbing`."""
    metadata = MetaData()
    define_plumbing_tables(metadata)
    metadata.create_all(op.get_bind())


def drop_plumbing_tables() -> None:
    metadata = MetaData()
    define_plumbing_tables(metadata)
    metadata.drop_all(op.get_bind())
