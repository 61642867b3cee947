"""casefold keys: unique pipeline names, stage names, tags and the text filter by casefold_key

Revision ID: 0110
Revises: 0009
Create Date: 2026-11-23 12:00:00

The keys are Python's (crm_shared.text_keys.casefold_key), so the backfill runs in Python: SQL's
lower() follows the cluster's locale and the C locale leaves "É" alone (ADR 0006). Names that only
now turn out to clash (say "Équipe Île" and "ÉQUIPE ÎLE") get a " (2)" suffix, so the unique index
can be built and nothing is lost.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from crm_shared.text_keys import casefold_key

revision: str = "0110"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
MAX_TAG = 50

pipelines = sa.table(
    "pipelines", sa.column("id", sa.Uuid), sa.column("name", sa.String), sa.column("name_key", sa.Text)
)
stages = sa.table("stages", sa.column("id", sa.Uuid), sa.column("name", sa.String))
deals = sa.table("deals", sa.column("id", sa.Uuid), sa.column("tags", ARRAY(sa.String)))
SEARCH_TEXT = sa.text(
    "UPDATE deals AS d SET search_text = v.search_text"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:texts AS text[])) AS v(id, search_text) WHERE d.id = v.id"
)


def upgrade() -> None:
    op.add_column("pipelines", sa.Column("name_key", sa.Text(), nullable=True))
    _backfill_pipeline_names()
    _backfill_stage_names()
    op.alter_column("pipelines", "name_key", nullable=False)
    op.drop_constraint("uq_pipelines_name", "pipelines", type_="unique")
    op.create_unique_constraint(op.f("uq_pipelines_name_key"), "pipelines", ["name_key"])
    op.add_column("deals", sa.Column("search_text", sa.Text(), nullable=True))
    _backfill_deals()
    op.alter_column("deals", "search_text", nullable=False)
    op.drop_index("ix_deals_title_trgm", table_name="deals")
    op.drop_index("ix_deals_description_trgm", table_name="deals")
    op.create_index(
        "ix_deals_search_text_trgm",
        "deals",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_deals_search_text_trgm", table_name="deals")
    op.create_index(
        "ix_deals_description_trgm", "deals", ["description"], postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )  # fmt: skip
    op.create_index(
        "ix_deals_title_trgm", "deals", ["title"], postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}
    )
    op.drop_column("deals", "search_text")
    op.drop_constraint(op.f("uq_pipelines_name_key"), "pipelines", type_="unique")
    op.create_unique_constraint("uq_pipelines_name", "pipelines", ["name"])
    op.drop_column("pipelines", "name_key")


def _unclashed(name: str, taken: set[str]) -> str:
    """The name, or the name with the first free " (n)" suffix; its key joins `taken`."""
    candidate, n = name, 1
    while casefold_key(candidate) in taken:
        n += 1
        candidate = f"{name[:240]} ({n})"
    taken.add(casefold_key(candidate))
    return candidate


def _backfill_pipeline_names() -> None:
    bind, taken = op.get_bind(), set[str]()
    # The default pipeline keeps its name; otherwise the oldest (time-ordered ids) does.
    rows = bind.execute(sa.text("SELECT id, name FROM pipelines ORDER BY is_default DESC, id")).all()
    for row in rows:
        name = _unclashed(row.name, taken)
        values = {"name": name, "name_key": casefold_key(name)}
        bind.execute(pipelines.update().where(pipelines.c.id == row.id).values(**values))


def _backfill_stage_names() -> None:
    """Stage names were unique within a pipeline by casefold(); the key also folds composition and spaces."""
    bind, taken = op.get_bind(), dict[Any, set[str]]()
    rows = bind.execute(sa.text("SELECT id, pipeline_id, name FROM stages ORDER BY pipeline_id, position"))
    for row in rows.all():
        name = _unclashed(row.name, taken.setdefault(row.pipeline_id, set()))
        if name != row.name:
            bind.execute(stages.update().where(stages.c.id == row.id).values(name=name))


def _backfill_deals() -> None:
    bind = op.get_bind()
    for batch in _batches("SELECT id, title, description, tags FROM deals"):
        texts = [casefold_key(f"{r.title} {r.description or ''}") for r in batch]
        bind.execute(SEARCH_TEXT, {"ids": [r.id for r in batch], "texts": texts})
        changed = [(r.id, tags) for r in batch if (tags := _tags(r.tags)) != list(r.tags)]
        for ident, tags in changed:
            bind.execute(deals.update().where(deals.c.id == ident).values(tags=tags))


def _tags(tags: Sequence[str]) -> list[str]:
    """As crm_deals.domain.deal_values.tags keys them; a tag whose key outgrows the column stays as it was."""
    keyed = (casefold_key(t) for t in tags)
    return list(dict.fromkeys(k if len(k) <= MAX_TAG else t for k, t in zip(keyed, tags, strict=True)))


def _batches(select: str) -> Iterator[list[Any]]:
    """The rows of `select` (a table's rows with their id) in id order, BATCH at a time."""
    bind, last = op.get_bind(), None
    while True:
        where = "" if last is None else " WHERE id > :last"
        batch = bind.execute(sa.text(f"{select}{where} ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not batch:
            return
        yield batch
        last = batch[-1].id
