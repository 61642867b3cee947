"""Seeds the leads table of a migrated leads database with SQL (INSERT ... SELECT generate_series).

Every column is filled as the service fills it (`Lead.create` and `LeadRepository._row`): UUIDv7 ids
stamped with the lead's creation time, the primary email and phone beside their JSON lists, `rank`
= -created_at epoch (newest on top of its kanban column), `search_text` = names, company and every
email, each by `casefold_key`. Values are drawn from the word lists by hashing the row number (deterministic).
Each step's rows are created over the last two years, created_at growing with the row number (a table
filled as leads arrive), with a little jitter: 10k rows, then 990k more, both span the two years.

Big steps drop the table's secondary indexes, insert, then rebuild them from their own definitions
(pg_indexes), as a bulk load does; constraints (primary key, foreign keys) stay and are checked.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench import leads_vocabulary as words
from crm_leads.domain.references import normalized
from crm_shared.ids import new_id
from crm_shared.text_keys import casefold_key

SPAN = timedelta(days=730)
BATCH = 250_000
REBUILD_ABOVE = 100_000
"""Steps adding more rows than this insert without secondary indexes and rebuild them after."""

COLUMNS = (
    "id", "first_name", "last_name", "company_name", "job_title", "function", "department",
    "industry_sector", "email", "emails", "phone", "phones", "address", "website", "source", "category",
    "tags", "score", "company_size", "key_account", "nurturing", "do_not_call", "do_not_email", "language",
    "owner_id", "team", "description", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "status", "rank", "lost_reason", "lost_at", "search_text", "created_at", "updated_at", "converted_at",
    "version",
)  # fmt: skip
LEFT_NULL = ("account_id", "contact_id")
"""Converted leads link to the account and contact they became; no accounts are seeded, so NULL."""

# $1 first row, $2 last row, $3 created_at of row $1, $4 seconds between rows; {name} = a word list
# (a text[] parameter, see _arguments). h.. = hashint8extended(i, k): independent, deterministic draws.
INSERT_TEMPLATE = f"""
INSERT INTO leads ({", ".join(COLUMNS)})
SELECT
  (lpad(to_hex((extract(epoch FROM created_at) * 1000)::bigint), 12, '0') || '7'
   || substr(md5(i::text), 1, 3) || to_hex(8 + (h >> 40 & 3)) || substr(md5(i::text), 4, 15))::uuid,
  first_name, last_name, company_name,
  {{job_titles}} [1 + (h >> 3 & 1023) % cardinality({{job_titles}})],
  {{functions}} [1 + (h >> 13 & 1023) % cardinality({{functions}})],
  {{departments}} [1 + (h >> 23 & 1023) % cardinality({{departments}})],
  {{sectors}} [1 + (h >> 33 & 1023) % cardinality({{sectors}})],
  email,
  CASE WHEN email IS NULL THEN '[]'::jsonb
       WHEN email2 IS NULL THEN jsonb_build_array(jsonb_build_object('address', email, 'primary', true))
       ELSE jsonb_build_array(jsonb_build_object('address', email, 'primary', true),
                              jsonb_build_object('address', email2, 'primary', false)) END,
  phone,
  CASE WHEN phone IS NULL THEN '[]'::jsonb
       ELSE jsonb_build_array(jsonb_build_object('number', phone, 'kind', 'work', 'primary', true)) END,
  CASE WHEN h2 % 10 < 6 THEN ({{addresses}} [1 + h2 / 16 % cardinality({{addresses}})])::jsonb END,
  CASE WHEN h2 % 10 < 7 THEN 'https://www.' || domain END,
  source,
  CASE WHEN h2 % 5 > 0 THEN {{categories}} [1 + h2 / 4096 % cardinality({{categories}})] END,
  ({{tag_sets}} [1 + h3 % cardinality({{tag_sets}})])::jsonb,
  (h3 / 64 % 6)::smallint,
  {{sizes}} [1 + h3 / 512 % cardinality({{sizes}})],
  h3 / 8192 % 20 = 0, h3 / 163840 % 10 = 0, h3 / 1638400 % 25 = 0, h3 / 40960000 % 30 = 0,
  CASE WHEN h4 % 10 < 7 THEN 'fr' ELSE 'en' END,
  owner_id, {{teams}} [1 + owner % cardinality({{teams}})],
  CASE WHEN h4 / 16 % 10 < 3 THEN {{descriptions}} [1 + h4 / 256 % cardinality({{descriptions}})] END,
  utm[1], utm[2], utm[3], NULL, NULL,
  status, -extract(epoch FROM created_at)::float8,
  CASE WHEN status = 'lost' THEN {{lost_reasons}} [1 + h4 / 4096 % cardinality({{lost_reasons}})] END,
  CASE WHEN status = 'lost' THEN updated_at END,
  concat_ws(' ', first_lower, last_lower, company_lower, email, email2),
  created_at, updated_at,
  CASE WHEN status = 'converted' THEN updated_at END,
  1
FROM (
  SELECT *,
    CASE WHEN h4 / 65536 % 10 < 9 THEN first_ascii || '.' || last_ascii
         || CASE WHEN h4 % 3 = 0 THEN (i % 1000)::text ELSE '' END || '@' || domain END AS email,
    CASE WHEN h4 / 65536 % 10 = 0
         THEN first_ascii || last_ascii || '@' || {{personal_domains}} [1 + h4 % 4] END AS email2,
    CASE WHEN h2 / 2 % 10 < 7 THEN '+3361' || lpad((i % 10000000)::text, 7, '0') END AS phone,
    CASE WHEN source = 'web_form' THEN ARRAY['google', 'cpc', 'spring-2026'] END AS utm,
    least(created_at + (h4 % 2592000) * interval '1 second', now()) AS updated_at
  FROM (
    SELECT i, h, h2, h3, h4, owner,
      {{first}} [f] AS first_name, {{first_lower}} [f] AS first_lower, {{first_ascii}} [f] AS first_ascii,
      {{last}} [l] || CASE WHEN l2 > 0 THEN '-' || {{last}} [l2] ELSE '' END AS last_name,
      {{last_lower}} [l] || CASE WHEN l2 > 0 THEN '-' || {{last_lower}} [l2] ELSE '' END AS last_lower,
      {{last_ascii}} [l] || CASE WHEN l2 > 0 THEN {{last_ascii}} [l2] ELSE '' END AS last_ascii,
      {{companies}} [c] AS company_name, {{companies_lower}} [c] AS company_lower,
      {{domains}} [c] AS domain,
      {{sources}} [1 + h2 / 65536 % cardinality({{sources}})] AS source,
      {{statuses}} [1 + h3 / 65536 % cardinality({{statuses}})] AS status,
      {{owners}} [1 + owner] AS owner_id,
      $3::timestamptz + ((i - $1) + (h4 % 1000) / 1000.0) * $4::float8 * interval '1 second' AS created_at
    FROM (
      SELECT i, h, h2, h3, h4,
        1 + h % cardinality({{first}}) AS f,
        1 + h / 64 % cardinality({{last}}) AS l,
        CASE WHEN h2 % 100 >= 85 THEN 1 + h2 / 128 % cardinality({{last}}) ELSE 0 END AS l2,
        1 + h3 / 2 % cardinality({{companies}}) AS c,
        h4 / 1048576 % cardinality({{owners}}) AS owner
      FROM (
        SELECT i, hashint8extended(i, 1) & 9223372036854775807 AS h,
          hashint8extended(i, 2) & 9223372036854775807 AS h2,
          hashint8extended(i, 3) & 9223372036854775807 AS h3,
          hashint8extended(i, 4) & 9223372036854775807 AS h4
        FROM generate_series($1::bigint, $2::bigint) AS i
      ) AS draws
    ) AS picks
  ) AS named
) AS drawn
"""


async def seed(url: str, *, start: int, stop: int) -> dict[str, Any]:
    """Insert rows start..stop-1, created over the last two years; vacuum and analyze; timings."""
    connection = await asyncpg.connect(url)
    try:
        await _check_columns(connection)
        await connection.execute("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'")
        await _add_reference_values(connection)
        lists = await _word_lists(connection)
        slots = {name: f"(${n}::text[])" for n, name in enumerate(lists, start=5)}
        insert = INSERT_TEMPLATE.format(**slots)
        rebuild = stop - start > REBUILD_ABOVE
        timings: dict[str, Any] = {"rows_added": stop - start, "indexes_rebuilt": rebuild}
        indexes = await _drop_secondary_indexes(connection) if rebuild else []
        began = time.perf_counter()
        first, step_s = datetime.now(UTC) - SPAN, SPAN.total_seconds() / (stop - start)
        for low in range(start, stop, BATCH):
            high = min(low + BATCH, stop) - 1
            created = first + timedelta(seconds=(low - start) * step_s)
            await connection.execute(insert, low, high, created, step_s, *lists.values())
        timings["insert_s"] = round(time.perf_counter() - began, 1)
        timings["index_build_s"] = await _rebuild(connection, indexes)
        began = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE) leads")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - began, 1)
        timings["rows"] = await connection.fetchval("SELECT count(*) FROM leads")
        timings["table_mib"] = await _mib(connection, "pg_table_size('leads')")
        timings["indexes_mib"] = await _mib(connection, "pg_indexes_size('leads')")
        return timings
    finally:
        await connection.close()


async def _check_columns(connection: asyncpg.Connection) -> None:
    """Fail loudly if the leads table gained a NOT NULL column this seed does not fill."""
    rows = await connection.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'leads'"
        " AND is_nullable = 'NO' AND column_default IS NULL"
    )
    missing = {r["column_name"] for r in rows} - set(COLUMNS)
    if missing:
        raise RuntimeError(f"bench/leads_seed.py does not fill the NOT NULL columns {sorted(missing)}")


async def _word_lists(connection: asyncpg.Connection) -> dict[str, list[str]]:
    """The text[] parameters of INSERT_TEMPLATE; sources and statuses as the database holds them now."""
    companies = words.companies()
    first, last = words.FIRST_NAMES, words.LAST_NAMES
    sources = await connection.fetch(
        "SELECT value FROM reference_values WHERE kind = 'source' AND active ORDER BY normalized"
    )
    return {
        "first": list(first),
        "first_lower": [casefold_key(n) for n in first],
        "first_ascii": [words.ascii_slug(n) for n in first],
        "last": list(last),
        "last_lower": [casefold_key(n) for n in last],
        "last_ascii": [words.ascii_slug(n) for n in last],
        "companies": [name for name, _ in companies],
        "companies_lower": [casefold_key(name) for name, _ in companies],
        "domains": [domain for _, domain in companies],
        "owners": list(words.OWNERS),
        "teams": list(words.TEAMS),
        "job_titles": list(words.JOB_TITLES),
        "functions": list(words.FUNCTIONS),
        "departments": list(words.DEPARTMENTS),
        "sectors": list(words.INDUSTRY_SECTORS),
        "addresses": words.addresses(),
        "categories": list(words.CATEGORIES),
        "tag_sets": words.tag_sets(),
        "sizes": list(words.COMPANY_SIZES),
        "descriptions": list(words.DESCRIPTIONS),
        "lost_reasons": list(words.LOST_REASONS),
        "personal_domains": list(words.PERSONAL_DOMAINS),
        "sources": [r["value"] for r in sources],
        "statuses": await _weighted_statuses(connection),
    }


async def _weighted_statuses(connection: asyncpg.Connection) -> list[str]:
    """About 100 draws: 25 % lost, 15 % converted, the rest over the open statuses, earlier ones more."""
    rows = await connection.fetch("SELECT key, is_open FROM lead_statuses ORDER BY position, key")
    keys = {r["key"] for r in rows}
    draws = [key for key, weight in (("lost", 25), ("converted", 15)) if key in keys for _ in range(weight)]
    opened = [r["key"] for r in rows if r["is_open"]]
    shares = range(len(opened), 0, -1)
    room = 100 - len(draws)
    for key, share in zip(opened, shares, strict=True):
        draws += [key] * max(1, round(room * share / sum(shares)))
    return draws


async def _add_reference_values(connection: asyncpg.Connection) -> None:
    """The inline list values the leads use exist in `reference_values`, as the service adds them."""
    rows = [
        (new_id(), kind, value, normalized(value), datetime.now(UTC))
        for kind, values in words.reference_values().items()
        for value in values
    ]
    await connection.executemany(
        "INSERT INTO reference_values (id, kind, value, normalized, active, created_by, created_at)"
        " VALUES ($1, $2, $3, $4, true, 'bench-seed', $5) ON CONFLICT DO NOTHING",
        rows,
    )


async def _drop_secondary_indexes(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    indexes = await connection.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND tablename = 'leads' AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = 'leads'::regclass)"
    )
    for index in indexes:
        await connection.execute(f'DROP INDEX "{index["indexname"]}"')
    return [(i["indexname"], i["indexdef"]) for i in indexes]


async def _rebuild(connection: asyncpg.Connection, indexes: list[tuple[str, str]]) -> dict[str, float]:
    seconds = {}
    for name, definition in indexes:
        began = time.perf_counter()
        await connection.execute(definition)
        seconds[name] = round(time.perf_counter() - began, 1)
    return seconds


async def _mib(connection: asyncpg.Connection, expression: str) -> float:
    size: int = await connection.fetchval(f"SELECT {expression}")
    return round(size / 2**20, 1)
