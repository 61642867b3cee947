"""case domain: case fields, message stream, attachments, links, SLA targets, teams, directory

Revision ID: 0102
Revises: 0001
Create Date: 2026-11-23 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0102"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _case_columns() -> list[sa.Column[object]]:
    """New columns each time: a Column joins the first table it is added to."""
    return [
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("contact_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("unknown_contact", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("assignee_id", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False),
        sa.Column(
            "participants", postgresql.ARRAY(sa.String(length=320)), server_default="{}", nullable=False
        ),
        sa.Column("first_response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
    ]


CASE_INDEXES = ["account_id", "assignee_id", "team"]


def _message_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("visibility", sa.String(length=8), server_default="public", nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("quoted", sa.Text(), server_default="", nullable=False),
        sa.Column("to", postgresql.ARRAY(sa.String(length=320)), server_default="{}", nullable=False),
        sa.Column("cc", postgresql.ARRAY(sa.String(length=320)), server_default="{}", nullable=False),
    ]


def upgrade() -> None:
    for column in _case_columns():
        op.add_column("cases", column)
    for name in CASE_INDEXES:
        op.create_index(op.f(f"ix_cases_{name}"), "cases", [name], unique=False)
    op.create_foreign_key(op.f("fk_cases_merged_into_cases"), "cases", "cases", ["merged_into"], ["id"])
    for column in _message_columns():
        op.add_column("case_messages", column)
    _case_tables()
    _directory_tables()


def _case_tables() -> None:
    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("case_message_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_attachments_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["case_message_id"],
            ["case_messages.id"],
            name=op.f("fk_case_attachments_case_message_id_case_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
    )
    op.create_index(op.f("ix_case_attachments_case_id"), "case_attachments", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_case_attachments_case_message_id"), "case_attachments", ["case_message_id"], unique=False
    )
    op.create_table(
        "case_links",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("linked_case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["linked_case_id"], ["cases.id"], name=op.f("fk_case_links_linked_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "linked_case_id", name=op.f("pk_case_links")),
    )
    op.create_index(op.f("ix_case_links_linked_case_id"), "case_links", ["linked_case_id"], unique=False)
    op.create_table(
        "sla_targets",
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("priority", name=op.f("pk_sla_targets")),
    )
    op.create_table(
        "team_members",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team", "user_id", name=op.f("pk_team_members")),
    )
    op.create_table(
        "team_rotations",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("last_user_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("team", name=op.f("pk_team_rotations")),
    )


def _directory_tables() -> None:
    op.create_table(
        "directory_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("csm_id", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_accounts")),
    )
    op.create_table(
        "directory_contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=True),
        sa.Column("last_name", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("account_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_contacts")),
    )
    op.create_table(
        "directory_contact_emails",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["directory_contacts.id"],
            name=op.f("fk_directory_contact_emails_contact_id_directory_contacts"),
        ),
        sa.PrimaryKeyConstraint("email", "contact_id", name=op.f("pk_directory_contact_emails")),
    )
    op.create_index(
        op.f("ix_directory_contact_emails_contact_id"),
        "directory_contact_emails",
        ["contact_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in (
        "directory_contact_emails",
        "directory_contacts",
        "directory_accounts",
        "team_rotations",
        "team_members",
        "sla_targets",
        "case_links",
        "case_attachments",
    ):
        op.drop_table(table)
    for column in _message_columns():
        op.drop_column("case_messages", column.name)
    op.drop_constraint(op.f("fk_cases_merged_into_cases"), "cases", type_="foreignkey")
    for name in CASE_INDEXES:
        op.drop_index(op.f(f"ix_cases_{name}"), table_name="cases")
    for column in _case_columns():
        op.drop_column("cases", column.name)
