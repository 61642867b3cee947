"""Seeds a migrated deals database with SQL (INSERT ... SELECT generate_series), one stage period per deal.

Every column is filled as `Deal.open` and `DealRepository` fill it: UUIDv7 ids stamped with the deal's
creation time, the pipeline's currency, the stage's default probability (10 % of open deals override
it), status = the stage's kind, `rank` = epoch of entering the stage (the bottom of the kanban column
then), `closed_at` for won and lost deals, a date prefix on titles where the pipeline asks for one.
The mix: 6 pipelines (the default one and the agency's demo set, created beforehand through the API),
60 % open (earlier stages more), 25 % won, 15 % lost; 50 owners in 6 teams; amounts log-spread from
1,000 to 1,000,000 EUR; expected close dates over 18 months (10 % none); 0-3 tags; 80 % with an
account, 60 % with a primary contact, 15 % with a secondary one; 40 % from a converted lead.
The deal's current stage period goes in in the same statement (the unit of work writes it from
DealCreated). Not seeded: revisions (no list, board or forecast reads them), outbox rows.

Big steps drop the secondary indexes of both tables and rebuild them after, as leads_seed does.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench import deals_vocabulary as words
from bench import leads_seed
from crm_shared.auth import Role
from crm_shared.infra.demo import ARCHIVED
from crm_shared.testing.service import auth_headers
from crm_shared.text_keys import casefold_key

SPAN = timedelta(days=730)
BATCH = 200_000
REBUILD_ABOVE = 100_000
TABLES = ("deals", "deal_stage_periods")
ADMIN = auth_headers("bench-admin", Role.ADMIN)

COLUMNS = (
    "id", "title", "description", "search_text", "amount_minor", "currency", "best_case_minor",
    "worst_case_minor", "pipeline_id", "stage_id", "probability", "probability_overridden", "status", "score",
    "expected_close_date", "owner_id", "team", "account_id", "contact_id", "contact_ids", "lead_id",
    "tags", "lost_reason", "recontact_on", "follow_up_of", "renewal_of_contract", "renewal_start", "rank",
    "needs_review", "review_reason", "created_by", "updated_by", "created_at", "updated_at",
    "stage_entered_at", "closed_at", "version",
)  # fmt: skip

# $1 first row, $2 last row, $3 created_at of row $1, $4 seconds between rows; {name} = a list parameter
# (see _lists). Pipeline p (1-based) has its open stages at open_stages[open_first[p] + k], k < open_count[p].
INSERT_TEMPLATE = f"""
WITH inserted AS (
INSERT INTO deals ({", ".join(COLUMNS)})
SELECT
  (lpad(to_hex((extract(epoch FROM created_at) * 1000)::bigint), 12, '0') || '7'
   || substr(md5(i::text), 1, 3) || to_hex(8 + (h >> 40 & 3)) || substr(md5(i::text), 4, 15))::uuid,
  CASE WHEN {{prefixed}} [p] THEN to_char(created_at AT TIME ZONE 'UTC', 'YYYY/MM/DD') || ' ' ELSE '' END
    || {{titles}} [1 + (h3 >> 50) % cardinality({{titles}})],
  CASE WHEN (h2 >> 40) % 10 < 3 THEN {{descriptions}} [1 + (h2 >> 44) % cardinality({{descriptions}})] END,
  CASE WHEN {{prefixed}} [p] THEN to_char(created_at AT TIME ZONE 'UTC', 'YYYY/MM/DD') || ' ' ELSE '' END
    || {{title_keys}} [1 + (h3 >> 50) % cardinality({{titles}})] || CASE WHEN (h2 >> 40) % 10 < 3
    THEN ' ' || {{description_keys}} [1 + (h2 >> 44) % cardinality({{descriptions}})] ELSE '' END,
  amount, {{currencies}} [p],
  CASE WHEN (h2 >> 24) % 2 = 0 THEN amount * 12 / 10 END,
  CASE WHEN (h2 >> 25) % 2 = 0 THEN amount * 7 / 10 END,
  {{pipeline_ids}} [p], stage_id,
  CASE WHEN overridden THEN ((h2 >> 4) % 101)::int ELSE stage_probability END, overridden,
  status,
  CASE WHEN (h2 >> 26) % 10 >= 3 THEN ((h2 >> 30) % 6)::smallint END,
  CASE WHEN h3 % 10 > 0 THEN current_date - 182 + ((h3 >> 4) % 548)::int END,
  {{owners}} [1 + o], {{owner_teams}} [1 + o],
  account_id,
  CASE WHEN (h3 >> 27) % 10 < 6 THEN md5('contact' || (h3 >> 31) % 50000)::uuid END,
  CASE WHEN (h3 >> 45) % 100 < 15 THEN ARRAY[md5('secondary' || i)::uuid] ELSE '{{{{}}}}'::uuid[] END,
  CASE WHEN (h4 >> 33) % 10 < 4 THEN md5('lead' || i)::uuid END,
  ({{tag_sets}} [1 + (h4 >> 37) % cardinality({{tag_sets}})])::varchar(50)[],
  CASE WHEN status = 'lost' THEN {{lost_reasons}} [1 + (h4 >> 43) % cardinality({{lost_reasons}})] END,
  CASE WHEN status = 'lost' AND (h4 >> 47) % 4 = 0 THEN current_date + ((h4 >> 50) % 365)::int END,
  NULL,
  CASE WHEN renewing THEN md5('contract' || i)::uuid END,
  CASE WHEN renewing THEN (created_at AT TIME ZONE 'UTC')::date + 365 END,
  extract(epoch FROM stage_entered_at)::float8,
  review, CASE WHEN review THEN 'Another deal of this prospect was won' END,
  {{owners}} [1 + o], {{owners}} [1 + o],
  created_at, updated_at, stage_entered_at,
  CASE WHEN status <> 'open' THEN updated_at END,
  1
FROM (
  SELECT *,
    CASE WHEN status = 'open' THEN {{open_stages}} [{{open_first}} [p] + k]
         WHEN status = 'won' THEN {{won_stages}} [p] ELSE {{lost_stages}} [p] END AS stage_id,
    CASE WHEN status = 'open' THEN {{open_probabilities}} [{{open_first}} [p] + k]
         WHEN status = 'won' THEN {{won_probabilities}} [p] ELSE {{lost_probabilities}} [p] END
      AS stage_probability,
    CASE WHEN status = 'open' AND k = 0 THEN created_at ELSE updated_at END AS stage_entered_at,
    status = 'open' AND h2 % 10 = 0 AS overridden,
    {{renewals}} [p] AND (h2 >> 50) % 2 = 0 AS renewing,
    status = 'open' AND account_id IS NOT NULL AND (h4 >> 55) % 100 = 0 AS review,
    ((100000 * power(10, ((h2 >> 10) % 10000) / 10000.0 * 3)) / 100)::bigint * 100 AS amount
  FROM (
    SELECT *,
      least((h >> 14) % {{open_count}} [p], (h >> 21) % {{open_count}} [p]) AS k,
      created_at + least(interval '60 days', now() - created_at) * ((h4 >> 10) % 1000 / 1000.0)
        AS updated_at,
      CASE WHEN (h3 >> 13) % 10 < 8 THEN md5('account' || (h3 >> 17) % 20000)::uuid END AS account_id
    FROM (
      SELECT i, h, h2, h3, h4, h4 % cardinality({{owners}}) AS o,
        {{pipeline_draws}} [1 + h % 100] AS p,
        {{status_draws}} [1 + (h >> 7) % 100] AS status,
        $3::timestamptz + ((i - $1) + (h4 % 1000) / 1000.0) * $4::float8 * interval '1 second' AS created_at
      FROM (
        SELECT i, hashint8extended(i, 11) & 9223372036854775807 AS h,
          hashint8extended(i, 12) & 9223372036854775807 AS h2,
          hashint8extended(i, 13) & 9223372036854775807 AS h3,
          hashint8extended(i, 14) & 9223372036854775807 AS h4
        FROM generate_series($1::bigint, $2::bigint) AS i
      ) AS draws
    ) AS picks
  ) AS staged
) AS drawn
RETURNING id, pipeline_id, stage_id, stage_entered_at, updated_by
)
INSERT INTO deal_stage_periods
  (deal_id, pipeline_id, stage_id, stage_name, stage_kind, entered_at, entered_by)
SELECT d.id, d.pipeline_id, d.stage_id, s.name, s.kind, d.stage_entered_at, d.updated_by
FROM inserted AS d JOIN stages AS s ON s.id = d.stage_id
"""


async def create_pipelines(http: httpx.AsyncClient) -> dict[str, str]:
    """The agency's demo pipelines through the API, as crm_shared.infra.demo loads them; name -> id."""
    listed = await http.get("/v1/pipelines", params={"include_archived": "true"}, headers=ADMIN)
    ids = {p["name"]: p["id"] for p in listed.raise_for_status().json()}
    for pipeline in words.demo_pipelines():
        if pipeline["name"] in ids:
            continue
        made = (await http.post("/v1/pipelines", json=pipeline, headers=ADMIN)).raise_for_status().json()
        if made["name"] in ARCHIVED:
            (await http.post(f"/v1/pipelines/{made['id']}/archive", headers=ADMIN)).raise_for_status()
        ids[made["name"]] = made["id"]
    return ids


async def seed(url: str, *, start: int, stop: int) -> dict[str, Any]:
    """Insert deals start..stop-1 (created over the last two years) and their stage periods; the
    owners in the users directory; vacuum and analyze; timings."""
    connection = await asyncpg.connect(url)
    try:
        await _check_columns(connection)
        await connection.execute("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'")
        await _add_users(connection)
        lists = await _lists(connection)
        slots = {name: f"(${n}::{kind})" for n, (name, (kind, _)) in enumerate(lists.items(), start=5)}
        insert = INSERT_TEMPLATE.format(**slots)
        values = [value for _, value in lists.values()]
        rebuild = stop - start > REBUILD_ABOVE
        timings: dict[str, Any] = {"rows_added": stop - start, "indexes_rebuilt": rebuild}
        indexes = await _drop_secondary_indexes(connection) if rebuild else []
        began = time.perf_counter()
        first, step_s = datetime.now(UTC) - SPAN, SPAN.total_seconds() / (stop - start)
        for low in range(start, stop, BATCH):
            high = min(low + BATCH, stop) - 1
            created = first + timedelta(seconds=(low - start) * step_s)
            await connection.execute(insert, low, high, created, step_s, *values)
        timings["insert_s"] = round(time.perf_counter() - began, 1)
        timings["index_build_s"] = await leads_seed._rebuild(connection, indexes)
        began = time.perf_counter()
        for table in TABLES:
            await connection.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - began, 1)
        timings["rows"] = await connection.fetchval("SELECT count(*) FROM deals")
        for table in TABLES:
            timings[f"{table}_mib"] = await leads_seed._mib(connection, f"pg_table_size('{table}')")
            timings[f"{table}_indexes_mib"] = await leads_seed._mib(connection, f"pg_indexes_size('{table}')")
        return timings
    finally:
        await connection.close()


async def _check_columns(connection: asyncpg.Connection) -> None:
    """Fail loudly if the deals table gained a NOT NULL column this seed does not fill."""
    rows = await connection.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'deals'"
        " AND is_nullable = 'NO' AND column_default IS NULL"
    )
    missing = {r["column_name"] for r in rows} - set(COLUMNS)
    if missing:
        raise RuntimeError(f"bench/deals_seed.py does not fill the NOT NULL columns {sorted(missing)}")


async def _add_users(connection: asyncpg.Connection) -> None:
    """The owners, in the users directory (as their first request would record them)."""
    rows = [
        (owner, words.TEAMS[n % len(words.TEAMS)], [Role.SALES.value], datetime.now(UTC))
        for n, owner in enumerate(words.OWNERS)
    ]
    await connection.executemany(
        "INSERT INTO users (id, team, roles, active, updated_at) VALUES ($1, $2, $3, true, $4)"
        " ON CONFLICT DO NOTHING",
        rows,
    )


async def _lists(connection: asyncpg.Connection) -> dict[str, tuple[str, list[Any]]]:
    """The array parameters of INSERT_TEMPLATE (SQL type, values); pipelines as the database has them."""
    pipelines = await _pipelines(connection)
    opened = [[s for s in p["stages"] if s["kind"] == "open"] for p in pipelines]
    first = [1 + sum(len(stages) for stages in opened[:n]) for n in range(len(opened))]
    index = {p["name"]: n for n, p in enumerate(pipelines, start=1)}
    draws = [index[name] for name in words.weighted(words.PIPELINE_SHARES)]
    closing = {kind: [_stage_of(p, kind) for p in pipelines] for kind in ("won", "lost")}
    return {
        "pipeline_draws": ("int[]", draws),
        "status_draws": ("text[]", words.weighted(words.STATUS_SHARES)),
        "pipeline_ids": ("uuid[]", [p["id"] for p in pipelines]),
        "currencies": ("text[]", [p["currency"] for p in pipelines]),
        "prefixed": ("bool[]", [p["title_date_prefix"] for p in pipelines]),
        "renewals": ("bool[]", [p["is_renewal_pipeline"] for p in pipelines]),
        "open_first": ("int[]", first),
        "open_count": ("int[]", [len(stages) for stages in opened]),
        "open_stages": ("uuid[]", [s["id"] for stages in opened for s in stages]),
        "open_probabilities": ("int[]", [s["probability"] for stages in opened for s in stages]),
        "won_stages": ("uuid[]", [s["id"] for s in closing["won"]]),
        "won_probabilities": ("int[]", [s["probability"] for s in closing["won"]]),
        "lost_stages": ("uuid[]", [s["id"] for s in closing["lost"]]),
        "lost_probabilities": ("int[]", [s["probability"] for s in closing["lost"]]),
        "owners": ("text[]", list(words.OWNERS)),
        "owner_teams": ("text[]", [words.TEAMS[n % len(words.TEAMS)] for n in range(len(words.OWNERS))]),
        "titles": ("text[]", words.titles()),
        "tag_sets": ("text[]", words.tag_sets()),
        "lost_reasons": ("text[]", list(words.LOST_REASONS)),
        "descriptions": ("text[]", list(words.DESCRIPTIONS)),
        # search_text is casefold_key(title + description), as DealRepository writes it.
        "title_keys": ("text[]", [casefold_key(t) for t in words.titles()]),
        "description_keys": ("text[]", [casefold_key(d) for d in words.DESCRIPTIONS]),
    }


async def _pipelines(connection: asyncpg.Connection) -> list[dict[str, Any]]:
    """Every pipeline named in PIPELINE_SHARES, with its stages in board order."""
    rows = await connection.fetch(
        "SELECT id, name, currency, title_date_prefix, is_renewal_pipeline FROM pipelines"
        " WHERE name = ANY($1::text[]) ORDER BY name",
        list(words.PIPELINE_SHARES),
    )
    missing = set(words.PIPELINE_SHARES) - {r["name"] for r in rows}
    if missing:
        raise RuntimeError(f"pipelines to seed into are missing (create_pipelines first): {sorted(missing)}")
    stages = await connection.fetch(
        "SELECT id, pipeline_id, kind, probability FROM stages ORDER BY pipeline_id, position"
    )
    return [dict(r) | {"stages": [dict(s) for s in stages if s["pipeline_id"] == r["id"]]} for r in rows]


def _stage_of(pipeline: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in pipeline["stages"] if s["kind"] == kind)


async def _drop_secondary_indexes(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    indexes = await connection.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND tablename = ANY($1::text[]) AND indexname NOT IN (SELECT conname FROM pg_constraint"
        " WHERE conrelid IN ('deals'::regclass, 'deal_stage_periods'::regclass))",
        list(TABLES),
    )
    for index in indexes:
        await connection.execute(f'DROP INDEX "{index["indexname"]}"')
    return [(i["indexname"], i["indexdef"]) for i in indexes]
