"""lead workflows: conversions, assignment rules, web-to-lead forms, idempotency keys

Revision ID: 0102
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0102"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=128), nullable=False),
        sa.Column("route", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("principal", "route", "key", name="pk_idempotency_keys"),
    )
    op.create_table(
        "lead_conversions",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("account_created", sa.Boolean(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("contact_created", sa.Boolean(), nullable=False),
        sa.Column("deal_title", sa.String(length=255), nullable=True),
        sa.Column("deal_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("deal_currency", sa.String(length=3), nullable=True),
        sa.Column("deal_owner_id", sa.String(length=128), nullable=True),
        sa.Column("deal_pipeline_id", sa.Uuid(), nullable=True),
        sa.Column("deal_stage_id", sa.Uuid(), nullable=True),
        sa.Column("deal_expected_close_date", sa.Date(), nullable=True),
        sa.Column("converted_by", sa.String(length=128), nullable=False),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_lead_conversions_lead_id_leads")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_lead_conversions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_lead_conversions_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_lead_conversions")),
    )
    op.create_table(
        "assignment_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=128), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("members", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_rules")),
    )
    op.create_index(op.f("ix_assignment_rules_team"), "assignment_rules", ["team"], unique=False)
    op.create_table(
        "intake_forms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("form_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("team", sa.String(length=128), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("field_mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("consent_fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("honeypot_field", sa.String(length=64), nullable=False),
        sa.Column("allowed_origins", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_forms")),
        sa.UniqueConstraint("form_key", name=op.f("uq_intake_forms_form_key")),
    )
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("consents", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["intake_forms.id"], name=op.f("fk_form_submissions_form_id_intake_forms")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_form_submissions_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
    )
    op.create_index(op.f("ix_form_submissions_form_id"), "form_submissions", ["form_id"], unique=False)
    op.create_index(op.f("ix_form_submissions_lead_id"), "form_submissions", ["lead_id"], unique=False)
    op.create_table(
        "intake_rate_windows",
        sa.Column("client", sa.String(length=128), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", "window_start", name="pk_intake_rate_windows"),
    )


def downgrade() -> None:
    op.drop_table("intake_rate_windows")
    op.drop_index(op.f("ix_form_submissions_lead_id"), table_name="form_submissions")
    op.drop_index(op.f("ix_form_submissions_form_id"), table_name="form_submissions")
    op.drop_table("form_submissions")
    op.drop_table("intake_forms")
    op.drop_index(op.f("ix_assignment_rules_team"), table_name="assignment_rules")
    op.drop_table("assignment_rules")
    op.drop_table("lead_conversions")
    op.drop_table("idempotency_keys")
