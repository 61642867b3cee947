"""casefold keys: search_text and name keys of accounts and contacts, address and reference keys

Revision ID: 0107
Revises: 0006
Create Date: 2026-11-23 12:00:00

Every key is Python's (crm_shared.text_keys, crm_leads.adapters.search_keys), so the backfill runs in
Python: SQL's lower() follows the cluster's locale, and earlier migrations lower-cased addresses and
search_text with it, leaving "É" alone on a C-locale cluster (ADR 0006). Rows are rewritten only
where a key changes.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from crm_leads.adapters.search_keys import account_keys, contact_search_text
from crm_shared.text_keys import address_key, casefold_key

revision: str = "0107"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

references = sa.table(
    "reference_values",
    sa.column("id", sa.Uuid),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("normalized", sa.String),
)
leads = sa.table(
    "leads",
    sa.column("id", sa.Uuid),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
    sa.column("company_name", sa.String),
    sa.column("email", sa.String),
    sa.column("emails", JSONB),
    sa.column("search_text", sa.Text),
)
accounts = sa.table(
    "accounts",
    sa.column("id", sa.Uuid),
    sa.column("name", sa.String),
    sa.column("search_text", sa.Text),
    sa.column("name_key", sa.Text),
)
contacts = sa.table(
    "contacts",
    sa.column("id", sa.Uuid),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
    sa.column("email", sa.String),
    sa.column("other_emails", ARRAY(sa.String)),
    sa.column("email_domain", sa.String),
    sa.column("search_text", sa.Text),
)


def upgrade() -> None:
    _backfill_references()
    _backfill_leads()
    op.add_column("accounts", sa.Column("search_text", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("name_key", sa.Text(), nullable=True))
    _backfill_accounts()
    op.add_column("contacts", sa.Column("search_text", sa.Text(), nullable=True))
    _backfill_contacts()
    for table, columns in (("accounts", ("search_text", "name_key")), ("contacts", ("search_text",))):
        for column in columns:
            op.alter_column(table, column, nullable=False)
    op.drop_index("ix_accounts_name_trgm", table_name="accounts")
    op.drop_index("ix_contacts_last_name_trgm", table_name="contacts")
    op.create_index(op.f("ix_accounts_name_key"), "accounts", ["name_key"])
    for table in ("accounts", "contacts"):
        op.create_index(
            f"ix_{table}_search_text_trgm",
            table,
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def downgrade() -> None:
    for table in ("contacts", "accounts"):
        op.drop_index(f"ix_{table}_search_text_trgm", table_name=table)
    op.drop_index(op.f("ix_accounts_name_key"), table_name="accounts")
    op.create_index(
        "ix_contacts_last_name_trgm", "contacts", ["last_name"], postgresql_using="gin",
        postgresql_ops={"last_name": "gin_trgm_ops"},
    )  # fmt: skip
    op.create_index(
        "ix_accounts_name_trgm", "accounts", ["name"], postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
    )
    op.drop_column("contacts", "search_text")
    op.drop_column("accounts", "name_key")
    op.drop_column("accounts", "search_text")


def _backfill_references() -> None:
    """A value whose new key another value of its kind already holds keeps its old key (and stays unique)."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(references).order_by(references.c.id)).all()
    taken = {(r.kind, r.normalized) for r in rows}
    for row in rows:
        key = casefold_key(row.value)
        if key != row.normalized and (row.kind, key) not in taken:
            taken.add((row.kind, key))
            bind.execute(references.update().where(references.c.id == row.id).values(normalized=key))


def _backfill_leads() -> None:
    for batch in _batches(leads):
        _update_many(leads, [values for row in batch if (values := _lead_keys(row)) is not None])


def _lead_keys(row: Any) -> dict[str, Any] | None:
    """The row's new values, as the repository writes them; None when nothing changes."""
    emails = _lead_emails(row.emails)
    parts = (row.first_name, row.last_name, row.company_name, *(e["address"] for e in emails))
    values = {
        "emails": emails,
        "email": emails[0]["address"] if emails else None,
        "search_text": casefold_key(" ".join(p for p in parts if p)),
    }
    if values == {"emails": row.emails, "email": row.email, "search_text": row.search_text}:
        return None
    return values | {"id": row.id}


def _lead_emails(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Addresses by `address_key`; one that now reads as an earlier one is dropped (the primary is first)."""
    kept: dict[str, dict[str, Any]] = {}
    for entry in entries:
        kept.setdefault(address_key(entry["address"]), entry | {"address": address_key(entry["address"])})
    return list(kept.values())


def _backfill_accounts() -> None:
    for batch in _batches(accounts):
        _update_many(accounts, [account_keys(row.name) | {"id": row.id} for row in batch])


def _backfill_contacts() -> None:
    for batch in _batches(contacts):
        _update_many(contacts, [_contact_keys(row) for row in batch])


def _contact_keys(row: Any) -> dict[str, Any]:
    """Addresses by `address_key` (an earlier migration lower-cased domains in SQL), and search_text."""
    emails = list(dict.fromkeys(address_key(e) for e in (row.email, *row.other_emails) if e))
    domain = emails[0].rsplit("@", 1)[1] if emails and "@" in emails[0] else None
    return {
        "id": row.id,
        "email": emails[0] if emails else None,
        "other_emails": emails[1:],
        "email_domain": domain,
        "search_text": contact_search_text(row.first_name, row.last_name, emails),
    }


def _update_many(table: sa.TableClause, rows: list[dict[str, Any]]) -> None:
    """One executemany per batch: each row dict holds the id and the new values."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "id"]
    values = {name: sa.bindparam(f"new_{name}") for name in names}
    statement = table.update().where(table.c.id == sa.bindparam("row_id")).values(values)
    op.get_bind().execute(statement, [{f"new_{n}": r[n] for n in names} | {"row_id": r["id"]} for r in rows])


def _batches(table: sa.TableClause) -> Iterator[list[Any]]:
    """The table's rows in id order, BATCH at a time."""
    bind, last = op.get_bind(), None
    while True:
        query = sa.select(table).order_by(table.c.id).limit(BATCH)
        batch = bind.execute(query if last is None else query.where(table.c.id > last)).all()
        if not batch:
            return
        yield batch
        last = batch[-1].id
