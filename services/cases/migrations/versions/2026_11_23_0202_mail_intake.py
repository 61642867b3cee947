"""mail intake: mailboxes, bouncing addresses, intake records

Revision ID: 0202
Revises: 0102
Create Date: 2026-11-23 02:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0202"
down_revision: str | None = "0102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailboxes",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("team", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_mailboxes")),
    )
    op.create_table(
        "bounced_addresses",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("last_bounced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_bounced_addresses")),
    )
    op.create_table(
        "mail_intake",
        sa.Column("raw_message_id", sa.Uuid(), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("flags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_message_id"],
            ["raw_messages.id"],
            name=op.f("fk_mail_intake_raw_message_id_raw_messages"),
        ),
        sa.PrimaryKeyConstraint("raw_message_id", name=op.f("pk_mail_intake")),
    )
    op.create_index(
        "ix_mail_intake_sender_received_at", "mail_intake", ["sender", "received_at"], unique=False
    )
    op.create_index("ix_mail_intake_state", "mail_intake", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_mail_intake_state", table_name="mail_intake")
    op.drop_index("ix_mail_intake_sender_received_at", table_name="mail_intake")
    op.drop_table("mail_intake")
    op.drop_table("bounced_addresses")
    op.drop_table("mailboxes")
