"""Tables of lead workflows: conversions, assignment rules, web-to-lead forms, idempotency keys."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from crm_leads.adapters.metadata import metadata
from crm_shared.http.idempotency import define_idempotency_table

idempotency_keys = define_idempotency_table(metadata)

# One row per converted lead: the primary key is the last guard against a second conversion.
lead_conversions = Table(
    "lead_conversions",
    metadata,
    Column("lead_id", Uuid, ForeignKey("leads.id"), primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id"), nullable=False),
    Column("account_created", Boolean, nullable=False),
    Column("contact_id", Uuid, ForeignKey("contacts.id")),
    Column("contact_created", Boolean, nullable=False),
    Column("deal_title", String(255)),
    Column("deal_amount_minor", BigInteger),
    Column("deal_currency", String(3)),
    Column("deal_owner_id", String(128)),
    Column("deal_pipeline_id", Uuid),
    Column("deal_stage_id", Uuid),
    Column("deal_expected_close_date", Date),
    Column("converted_by", String(128), nullable=False),
    Column("converted_at", DateTime(timezone=True), nullable=False),
)

assignment_rules = Table(
    "assignment_rules",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("team", String(128), index=True),
    Column("source", String(64)),
    Column("members", JSONB, nullable=False),
    # Round-robin rotation: index of the next member, advanced under the rule row's lock.
    Column("position", Integer, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

intake_forms = Table(
    "intake_forms",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("form_key", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("team", String(128)),
    Column("source", String(64)),
    Column("field_mapping", JSONB, nullable=False),
    Column("consent_fields", JSONB, nullable=False),
    Column("honeypot_field", String(64), nullable=False),
    Column("allowed_origins", JSONB, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

form_submissions = Table(
    "form_submissions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("form_id", Uuid, ForeignKey("intake_forms.id"), nullable=False, index=True),
    Column("lead_id", Uuid, ForeignKey("leads.id"), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("consents", JSONB, nullable=False),
    Column("client_address", String(64)),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Fixed-window counters shared by every instance of the service.
intake_rate_windows = Table(
    "intake_rate_windows",
    metadata,
    Column("client", String(128), nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("hits", Integer, nullable=False),
    PrimaryKeyConstraint("client", "window_start", name="pk_intake_rate_windows"),
)

__all__ = [
    "assignment_rules",
    "form_submissions",
    "idempotency_keys",
    "intake_forms",
    "intake_rate_windows",
    "lead_conversions",
    "metadata",
]
