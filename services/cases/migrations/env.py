"""The cases schema: one linear chain of revisions.

Revision 0003 was an empty merge of three branches (0102, 0202, 0302, each from 0001), since laid out as
one chain ending at 0302. A database stamped 0003 already holds every table of that chain, so it is
stamped 0302 before the chain runs, and goes on from there like any other.
"""

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from crm_cases.adapters.tables import metadata
from crm_shared.db.migrations import run_env

RETIRED = {"0003": "0302"}
"""Revision ids no longer in the chain -> the revision holding the same schema."""


async def _restamp_retired(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if await connection.scalar(text("SELECT to_regclass('alembic_version')")) is None:
                return
            for retired, same_schema in RETIRED.items():
                await connection.execute(
                    text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                    {"new": same_schema, "old": retired},
                )
    finally:
        await engine.dispose()


asyncio.run(_restamp_retired(context.config.get_main_option("sqlalchemy.url") or ""))
run_env(metadata)
