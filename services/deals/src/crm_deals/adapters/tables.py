"""Tables of the deals database (plus the shared outbox and inbox, from make_metadata)."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text, Uuid

from crm_shared.db import make_metadata

metadata = make_metadata()

pipelines = Table(
    "pipelines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("is_default", Boolean, nullable=False, server_default="false"),
    Column("archived", Boolean, nullable=False, server_default="false"),
    Column("team", String(128)),
    # No foreign key: stages already reference pipelines, and the domain keeps it pointing at one.
    Column("proposal_stage_id", Uuid),
    Column("win_when_order_confirmed", Boolean, nullable=False, server_default="false"),
    Column("is_renewal_pipeline", Boolean, nullable=False, server_default="false"),
    Column("title_date_prefix", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False, server_default="1"),
)

stages = Table(
    "stages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("pipeline_id", Uuid, ForeignKey("pipelines.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("probability", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
)

deals = Table(
    "deals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", String(255), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("pipeline_id", Uuid, ForeignKey("pipelines.id"), nullable=False),
    Column("stage_id", Uuid, ForeignKey("stages.id"), nullable=False, index=True),
    Column("probability", Integer, nullable=False),
    Column("status", String(8), nullable=False, index=True),
    Column("owner_id", String(128), nullable=False, index=True),
    Column("account_id", Uuid, index=True),
    Column("contact_id", Uuid),
    # One deal per converted lead, whatever the number of deliveries of LeadConverted.
    Column("lead_id", Uuid, unique=True),
    Column("lost_reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
)
