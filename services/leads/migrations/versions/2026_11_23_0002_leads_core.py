"""leads core: lead fields, configurable statuses, reference lists, activity timeline

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_shared.ids import new_id

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    ("to_process", "To process", "À traiter", True),
    ("marketing_qualification", "Marketing qualification", "Qualification marketing", True),
    ("sales_qualification", "Sales qualification", "Qualification commerciale", True),
    ("nurturing", "Nurturing", "Maturation", True),
    ("converted", "Converted", "Converti", False),
    ("lost", "Lost", "Perdu", False),
)
SOURCES = (
    ("web_form", "Web form", "Formulaire web"),
    ("phone", "Phone", "Téléphone"),
    ("email", "Email", "E-mail"),
    ("event", "Event", "Événement"),
    ("import", "Import", "Import"),
    ("referral", "Referral", "Recommandation"),
    ("partner", "Partner", "Partenaire"),
    ("other", "Other", "Autre"),
)
# New NOT NULL columns of existing rows: (name, type, default for the rows already there).
NOT_NULL_COLUMNS = (
    ("emails", postgresql.JSONB(), sa.text("'[]'::jsonb")),
    ("phones", postgresql.JSONB(), sa.text("'[]'::jsonb")),
    ("tags", postgresql.JSONB(), sa.text("'[]'::jsonb")),
    ("score", sa.SmallInteger(), sa.text("0")),
    ("key_account", sa.Boolean(), sa.false()),
    ("nurturing", sa.Boolean(), sa.false()),
    ("do_not_call", sa.Boolean(), sa.false()),
    ("do_not_email", sa.Boolean(), sa.false()),
    ("rank", sa.Float(), sa.text("0")),
    ("search_text", sa.Text(), sa.text("''")),
)
NULLABLE_COLUMNS = (
    ("job_title", sa.String(255)),
    ("function", sa.String(128)),
    ("department", sa.String(128)),
    ("industry_sector", sa.String(128)),
    ("address", postgresql.JSONB()),
    ("website", sa.String(2048)),
    ("category", sa.String(64)),
    ("company_size", sa.String(16)),
    ("team", sa.String(128)),
    ("utm_source", sa.String(255)),
    ("utm_medium", sa.String(255)),
    ("utm_campaign", sa.String(255)),
    ("utm_term", sa.String(255)),
    ("utm_content", sa.String(255)),
    ("lost_reason", sa.String(500)),
    ("lost_at", sa.DateTime(timezone=True)),
)
KEYSET_INDEXES = (
    ("ix_leads_owner_id_id", ["owner_id", "id"]),
    ("ix_leads_status_rank_id", ["status", "rank", "id"]),
    ("ix_leads_created_at_id", ["created_at", "id"]),
    ("ix_leads_updated_at_id", ["updated_at", "id"]),
    ("ix_leads_score_id", ["score", "id"]),
    ("ix_leads_last_name_id", ["last_name", "id"]),
    ("ix_leads_team", ["team"]),
    ("ix_leads_source", ["source"]),
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _create_settings_tables()
    _seed()
    op.create_table(
        "history_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("subject_field", sa.String(length=32), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_entries")),
    )
    op.create_index("ix_history_entries_subject_id_id", "history_entries", ["subject_id", "id"])
    _extend_leads()


def _create_settings_tables() -> None:
    op.create_table(
        "lead_statuses",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("label_en", sa.String(length=64), nullable=False),
        sa.Column("label_fr", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lead_statuses")),
    )
    op.create_table(
        "reference_values",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("normalized", sa.String(length=128), nullable=False),
        sa.Column("label_en", sa.String(length=128), nullable=True),
        sa.Column("label_fr", sa.String(length=128), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_values")),
        sa.UniqueConstraint("kind", "normalized", name=op.f("uq_reference_values_kind")),
    )


def _seed() -> None:
    statuses = sa.table(
        "lead_statuses",
        sa.column("key", sa.String),
        sa.column("label_en", sa.String),
        sa.column("label_fr", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_open", sa.Boolean),
    )
    op.bulk_insert(
        statuses,
        [
            {"key": key, "label_en": en, "label_fr": fr, "position": i, "is_open": is_open}
            for i, (key, en, fr, is_open) in enumerate(STATUSES)
        ],
    )
    references = sa.table(
        "reference_values",
        sa.column("id", sa.Uuid),
        sa.column("kind", sa.String),
        sa.column("value", sa.String),
        sa.column("normalized", sa.String),
        sa.column("label_en", sa.String),
        sa.column("label_fr", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        references,
        [
            {"id": new_id(), "kind": "source", "value": value, "normalized": value, "label_en": en,
             "label_fr": fr, "active": True, "created_at": now}
            for value, en, fr in SOURCES
        ],
    )  # fmt: skip


def _extend_leads() -> None:
    for name, type_ in NULLABLE_COLUMNS:
        op.add_column("leads", sa.Column(name, type_, nullable=True))
    for name, type_, default in NOT_NULL_COLUMNS:
        op.add_column("leads", sa.Column(name, type_, nullable=False, server_default=default))
    # Rows already there: their single email and phone become the primary ones.
    op.execute(
        """
        UPDATE leads SET
          emails = CASE WHEN email IS NULL THEN '[]'::jsonb
                   ELSE jsonb_build_array(jsonb_build_object('address', lower(email), 'primary', true)) END,
          phones = CASE WHEN phone IS NULL THEN '[]'::jsonb
                   ELSE jsonb_build_array(jsonb_build_object('number', phone, 'kind', 'work', 'primary', true))
                   END,
          rank = -extract(epoch FROM created_at),
          search_text = lower(concat_ws(' ', first_name, last_name, company_name, email))
        """
    )
    for name, _, _ in NOT_NULL_COLUMNS:
        op.alter_column("leads", name, server_default=None)
    op.drop_index("ix_leads_owner_id", table_name="leads")
    op.drop_index("ix_leads_status", table_name="leads")
    for index, columns in KEYSET_INDEXES:
        op.create_index(index, "leads", columns)
    op.create_index(
        "ix_leads_tags", "leads", ["tags"], postgresql_using="gin", postgresql_ops={"tags": "jsonb_path_ops"}
    )
    op.create_index(
        "ix_leads_emails",
        "leads",
        ["emails"],
        postgresql_using="gin",
        postgresql_ops={"emails": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_leads_search_text",
        "leads",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_foreign_key(
        op.f("fk_leads_status_lead_statuses"), "leads", "lead_statuses", ["status"], ["key"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_leads_status_lead_statuses"), "leads", type_="foreignkey")
    for index in ("ix_leads_search_text", "ix_leads_emails", "ix_leads_tags"):
        op.drop_index(index, table_name="leads")
    for index, _ in KEYSET_INDEXES:
        op.drop_index(index, table_name="leads")
    op.create_index("ix_leads_status", "leads", ["status"])
    op.create_index("ix_leads_owner_id", "leads", ["owner_id"])
    for name, _, _ in NOT_NULL_COLUMNS:
        op.drop_column("leads", name)
    for name, _ in NULLABLE_COLUMNS:
        op.drop_column("leads", name)
    op.drop_index("ix_history_entries_subject_id_id", table_name="history_entries")
    op.drop_table("history_entries")
    op.drop_table("reference_values")
    op.drop_table("lead_statuses")
