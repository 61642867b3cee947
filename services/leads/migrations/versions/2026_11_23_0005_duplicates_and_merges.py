"""duplicates and merges: merged markers on leads, accounts and contacts; duplicate-check indexes

Revision ID: 0004
Revises: 0202
Create Date: 2026-11-23 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0202"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGEABLE = ("leads", "accounts", "contacts")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in MERGEABLE:
        op.add_column(table, sa.Column("merged_into", sa.Uuid(), nullable=True))
        op.add_column(table, sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
        op.create_foreign_key(op.f(f"fk_{table}_merged_into_{table}"), table, table, ["merged_into"], ["id"])
    op.create_index(
        "ix_leads_phones",
        "leads",
        ["phones"],
        postgresql_using="gin",
        postgresql_ops={"phones": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_accounts_name_trgm",
        "accounts",
        ["name"],
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(op.f("ix_contacts_phone"), "contacts", ["phone"])
    op.create_index("ix_contacts_other_emails", "contacts", ["other_emails"], postgresql_using="gin")
    op.create_index("ix_contacts_other_phones", "contacts", ["other_phones"], postgresql_using="gin")
    op.create_index(
        "ix_contacts_last_name_trgm",
        "contacts",
        ["last_name"],
        postgresql_using="gin",
        postgresql_ops={"last_name": "gin_trgm_ops"},
    )


def downgrade() -> None:
    for name, table in (
        ("ix_contacts_last_name_trgm", "contacts"),
        ("ix_contacts_other_phones", "contacts"),
        ("ix_contacts_other_emails", "contacts"),
        ("ix_contacts_phone", "contacts"),
        ("ix_accounts_name_trgm", "accounts"),
        ("ix_leads_phones", "leads"),
    ):
        op.drop_index(name, table_name=table)
    for table in MERGEABLE:
        op.drop_constraint(op.f(f"fk_{table}_merged_into_{table}"), table, type_="foreignkey")
        op.drop_column(table, "merged_at")
        op.drop_column(table, "merged_into")
