"""The cases chain is linear, and a database stamped at the retired merge revision 0003 (the head of
the three former branches) upgrades without error to the same schema at 0302."""

import asyncio

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from crm_cases.bootstrap import MIGRATIONS
from crm_shared.db.migrations import alembic_config, upgrade

pytestmark = pytest.mark.integration


async def _version(url: str, stamp: str | None = None) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if stamp is not None:
                await connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": stamp})
            return list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    finally:
        await engine.dispose()


async def test_a_database_at_the_retired_merge_upgrades_in_place(make_database):
    url = make_database("cases_chain")
    script = ScriptDirectory.from_config(alembic_config(database_url=url, script_location=MIGRATIONS))
    chain = [r.revision for r in script.walk_revisions()]
    assert chain[-4:] == ["0302", "0202", "0102", "0001"]  # the merge's three branches, laid in a line

    await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS, revision="0302")
    assert await _version(url, stamp="0003") == ["0003"]  # as the merge left every database of its day

    await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS)
    assert await _version(url) == [chain[0]]  # re-stamped at 0302, then on to the head
