"""imports: external ids of imported leads, contacts and accounts

Revision ID: 0104
Revises: 0004
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0104"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_ids",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "external_id", name=op.f("pk_external_ids")),
    )
    op.create_index("ix_external_ids_kind_record_id", "external_ids", ["kind", "record_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_external_ids_kind_record_id", table_name="external_ids")
    op.drop_table("external_ids")
