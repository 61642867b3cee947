"""accounts and contacts: account details and numbering, contact details, account links, lifecycle

Revision ID: 0202
Revises: 0102
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0202"
down_revision: str | None = "0102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIFECYCLE = ("prospect_state", "customer_state")


def _lifecycle_columns(table: str) -> None:
    for name in LIFECYCLE:
        op.add_column(table, sa.Column(name, sa.String(16), server_default="none", nullable=False))
        op.create_index(op.f(f"ix_{table}_{name}"), table, [name])
    for name in ("prospect_override", "customer_override"):
        op.add_column(table, sa.Column(name, sa.String(16), nullable=True))
        op.add_column(table, sa.Column(f"{name}_at", sa.DateTime(timezone=True), nullable=True))


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("account_reference_seq", start=1000)))
    op.add_column("accounts", sa.Column("type", sa.String(16), server_default="prospect", nullable=False))
    # Existing rows are numbered too: a volatile default is evaluated for each row.
    op.add_column(
        "accounts",
        sa.Column(
            "reference_number",
            sa.BigInteger(),
            server_default=sa.text("nextval('account_reference_seq')"),
            nullable=False,
        ),
    )
    op.add_column("accounts", sa.Column("website", sa.String(2048), nullable=True))
    op.add_column("accounts", sa.Column("csm_id", sa.String(128), nullable=True))
    op.add_column("accounts", sa.Column("team", sa.String(64), nullable=True))
    op.add_column("accounts", sa.Column("language", sa.String(2), server_default="en", nullable=False))
    op.add_column("accounts", sa.Column("key_account", sa.Boolean(), server_default="false", nullable=False))
    op.add_column(
        "accounts", sa.Column("tags", postgresql.ARRAY(sa.String(64)), server_default="{}", nullable=False)
    )
    op.add_column(
        "accounts",
        sa.Column("addresses", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
    )
    _lifecycle_columns("accounts")
    op.add_column("accounts", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(op.f("uq_accounts_reference_number"), "accounts", ["reference_number"])
    op.create_index(op.f("ix_accounts_type"), "accounts", ["type"])
    op.create_index(op.f("ix_accounts_owner_id"), "accounts", ["owner_id"])
    op.create_index("ix_accounts_tags", "accounts", ["tags"], postgresql_using="gin")

    op.add_column(
        "contacts",
        sa.Column("other_emails", postgresql.ARRAY(sa.String(320)), server_default="{}", nullable=False),
    )
    op.add_column("contacts", sa.Column("email_domain", sa.String(255), nullable=True))
    op.add_column(
        "contacts",
        sa.Column("other_phones", postgresql.ARRAY(sa.String(32)), server_default="{}", nullable=False),
    )
    op.add_column("contacts", sa.Column("job_title", sa.String(255), nullable=True))
    op.add_column("contacts", sa.Column("do_not_email", sa.Boolean(), server_default="false", nullable=False))
    op.add_column("contacts", sa.Column("do_not_call", sa.Boolean(), server_default="false", nullable=False))
    _lifecycle_columns("contacts")
    op.add_column("contacts", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE contacts SET email_domain = lower(split_part(email, '@', 2)) WHERE email LIKE '%@%'")
    op.create_index(op.f("ix_contacts_email_domain"), "contacts", ["email_domain"])

    op.create_table(
        "contact_accounts",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(128), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contact_accounts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_accounts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "account_id", name=op.f("pk_contact_accounts")),
    )
    op.create_index(op.f("ix_contact_accounts_account_id"), "contact_accounts", ["account_id"])
    op.execute(
        "INSERT INTO contact_accounts (contact_id, account_id, position) "
        "SELECT id, account_id, 0 FROM contacts WHERE account_id IS NOT NULL"
    )

    op.create_table(
        "lifecycle_deals",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_lifecycle_deals")),
    )
    op.create_index(op.f("ix_lifecycle_deals_contact_id"), "lifecycle_deals", ["contact_id"])
    op.create_index(op.f("ix_lifecycle_deals_account_id"), "lifecycle_deals", ["account_id"])


def downgrade() -> None:
    op.drop_table("lifecycle_deals")
    op.drop_table("contact_accounts")
    op.drop_index(op.f("ix_contacts_email_domain"), table_name="contacts")
    for name in ("other_emails", "email_domain", "other_phones", "job_title", "do_not_email", "do_not_call"):
        op.drop_column("contacts", name)
    for table in ("accounts", "contacts"):
        for name in (*LIFECYCLE, "prospect_override", "prospect_override_at", "customer_override",
                     "customer_override_at", "updated_at"):  # fmt: skip
            op.drop_column(table, name)
    op.drop_index("ix_accounts_tags", table_name="accounts")
    op.drop_index(op.f("ix_accounts_owner_id"), table_name="accounts")
    op.drop_index(op.f("ix_accounts_type"), table_name="accounts")
    for name in ("type", "reference_number", "website", "csm_id", "team", "language", "key_account", "tags",
                 "addresses"):  # fmt: skip
        op.drop_column("accounts", name)
    op.execute(sa.schema.DropSequence(sa.Sequence("account_reference_seq")))
