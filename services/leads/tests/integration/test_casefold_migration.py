"""The casefold-keys migration rewrites what SQL's lower() left behind, on real PostgreSQL (C locale)."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from crm_leads.bootstrap import MIGRATIONS
from crm_shared.db.migrations import upgrade

pytestmark = pytest.mark.integration

LEAD = text(
    "INSERT INTO leads (id, first_name, last_name, email, emails, phones, tags, score, key_account,"
    " nurturing, do_not_call, do_not_email, language, status, rank, search_text, created_at, updated_at,"
    " version) VALUES (:id, 'Élodie', 'STRAẞER', :email, CAST(:emails AS jsonb), '[]', '[]', 0, false,"
    " false, false, false, 'fr', 'to_process', 0, :search_text, :now, :now, 1)"
)
ACCOUNT = text("INSERT INTO accounts (id, name, created_at, version) VALUES (:id, :name, :now, 1)")
CONTACT = text(
    "INSERT INTO contacts (id, first_name, last_name, email, other_emails, email_domain, language,"
    " created_at, version) VALUES (:id, 'Élodie', 'STRAẞER', :email, :others, :domain, 'fr', :now, 1)"
)
REFERENCE = text(
    "INSERT INTO reference_values (id, kind, value, normalized, active, created_at)"
    " VALUES (:id, 'function', :value, :normalized, true, :now)"
)


async def test_keys_written_by_sql_lower_are_rewritten_by_python(make_database):
    url = make_database("leads_casefold_migration")
    await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS, revision="0006")
    now, ids = datetime.now(UTC), {name: uuid.uuid4() for name in ("lead", "account", "contact", "ref")}
    # What earlier migrations made of "ÉLODIE@ÉCOLE.FR" on a C-locale cluster: lower() kept "É".
    emails = (
        '[{"address": "Élodie@École.fr", "primary": true}, {"address": "élodie@école.fr", "primary": false}]'
    )
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            lead = {
                "email": "Élodie@École.fr",
                "emails": emails,
                "search_text": "Élodie straẞer Élodie@École.fr",
            }
            await connection.execute(LEAD, lead | {"id": ids["lead"], "now": now})
            await connection.execute(
                ACCOUNT, {"id": ids["account"], "name": "ÉCOLE DU LOUVRE SARL", "now": now}
            )
            contact = {"email": "Élodie@École.fr", "others": ["élodie@école.fr"], "domain": "École.fr"}
            await connection.execute(CONTACT, contact | {"id": ids["contact"], "now": now})
            reference = {
                "value": "Re\u0301gisseur",
                "normalized": "re\u0301gisseur",
                "id": ids["ref"],
                "now": now,
            }
            await connection.execute(REFERENCE, reference)
        await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS)
        async with engine.connect() as connection:
            lead_row = (await connection.execute(text("SELECT email, emails, search_text FROM leads"))).one()
            account = (await connection.execute(text("SELECT search_text, name_key FROM accounts"))).one()
            query = text("SELECT email, other_emails, email_domain, search_text FROM contacts")
            contact_row = (await connection.execute(query)).one()
            query = text("SELECT normalized FROM reference_values WHERE id = :id")
            normalized = (await connection.execute(query, {"id": ids["ref"]})).scalar_one()
    finally:
        await engine.dispose()
    assert lead_row.email == "élodie@école.fr"
    assert lead_row.emails == [{"address": "élodie@école.fr", "primary": True}]
    assert lead_row.search_text == "élodie strasser élodie@école.fr"
    assert (account.search_text, account.name_key) == ("école du louvre sarl", "ecole du louvre")
    assert tuple(contact_row) == ("élodie@école.fr", [], "école.fr", "élodie strasser élodie@école.fr")
    assert normalized == "régisseur"
