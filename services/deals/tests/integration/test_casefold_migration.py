"""The casefold-keys migration backfills rows written before it, on real PostgreSQL (C locale)."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from crm_deals.bootstrap import MIGRATIONS
from crm_shared.db.migrations import upgrade

pytestmark = pytest.mark.integration

PIPELINE = text("INSERT INTO pipelines (id, name, currency) VALUES (:id, :name, 'EUR')")
STAGE = text(
    "INSERT INTO stages (id, pipeline_id, name, position, probability, kind)"
    " VALUES (:id, :pipeline, :name, :position, 10, 'open')"
)
DEAL = text(
    "INSERT INTO deals (id, title, description, amount_minor, currency, pipeline_id, stage_id, probability,"
    " status, owner_id, tags, created_by, updated_by, created_at, updated_at, stage_entered_at, version)"
    " VALUES (:id, :title, :description, 100, 'EUR', :pipeline, :stage, 10, 'open', 'o', :tags,"
    " 'o', 'o', :now, :now, :now, 1)"
)


async def test_names_clashing_by_casefold_get_a_suffix_and_deals_get_their_search_text(make_database):
    url = make_database("deals_casefold_migration")
    await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS, revision="0009")
    first, second, stage = uuid.UUID(int=1), uuid.UUID(int=2), uuid.uuid4()  # the older keeps its name
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            # Exact names were unique; these two differ only by case.
            await connection.execute(
                PIPELINE, [{"id": first, "name": "Équipe Île"}, {"id": second, "name": "ÉQUIPE ÎLE"}]
            )
            rows = [
                {"id": stage, "name": "Relance  Été", "position": 0},
                {"id": uuid.uuid4(), "name": "relance été", "position": 1},
            ]
            await connection.execute(STAGE, [r | {"pipeline": first} for r in rows])
            deal = {
                "id": uuid.uuid4(),
                "title": "ÉCOLE DU LOUVRE",
                "description": "Accès Straße",
                "pipeline": first,
            }
            values = deal | {"stage": stage, "tags": ["straße", "strasse", "été"], "now": datetime.now(UTC)}
            await connection.execute(DEAL, values)
        await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS)
        async with engine.connect() as connection:
            query = text("SELECT id, name, name_key FROM pipelines WHERE NOT is_default")
            names = {r.id: (r.name, r.name_key) for r in await connection.execute(query)}
            stage_names = await connection.execute(
                text("SELECT name FROM stages WHERE pipeline_id = :p ORDER BY position"), {"p": first}
            )
            migrated = (await connection.execute(text("SELECT search_text, tags FROM deals"))).one()
    finally:
        await engine.dispose()
    assert names == {first: ("Équipe Île", "équipe île"), second: ("ÉQUIPE ÎLE (2)", "équipe île (2)")}
    assert list(stage_names.scalars()) == ["Relance  Été", "relance été (2)"]
    assert migrated.search_text == "école du louvre accès strasse"
    assert migrated.tags == ["strasse", "été"]
