"""Tables of the deals database (plus the shared outbox and inbox, from make_metadata)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from crm_shared.db import make_metadata
from crm_shared.http.idempotency import define_idempotency_table

metadata = make_metadata()

pipelines = Table(
    "pipelines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False),
    # casefold_key(name), written by the repository: names are unique whatever their case (ADR 0006).
    Column("name_key", Text, nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("is_default", Boolean, nullable=False, server_default="false"),
    Column("archived", Boolean, nullable=False, server_default="false"),
    Column("team", String(128)),
    # No foreign key: stages already reference pipelines, and the domain keeps it pointing at one.
    Column("proposal_stage_id", Uuid),
    Column("win_when_order_confirmed", Boolean, nullable=False, server_default="false"),
    Column("is_renewal_pipeline", Boolean, nullable=False, server_default="false"),
    Column("title_date_prefix", Boolean, nullable=False, server_default="false"),
    Column("is_cold_leads_pipeline", Boolean, nullable=False, server_default="false"),
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
    Column("description", Text),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("best_case_minor", BigInteger),
    Column("worst_case_minor", BigInteger),
    Column("pipeline_id", Uuid, ForeignKey("pipelines.id"), nullable=False),
    Column("stage_id", Uuid, ForeignKey("stages.id"), nullable=False),
    Column("probability", Integer, nullable=False),
    Column("probability_overridden", Boolean, nullable=False, server_default="false"),
    Column("status", String(8), nullable=False),
    Column("score", SmallInteger),
    Column("expected_close_date", Date),
    Column("owner_id", String(128), nullable=False),
    Column("team", String(128)),
    Column("account_id", Uuid, index=True),
    Column("contact_id", Uuid, index=True),
    Column("contact_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    # One deal per converted lead, whatever the number of deliveries of LeadConverted.
    Column("lead_id", Uuid, unique=True),
    Column("tags", ARRAY(String(50)), nullable=False, server_default="{}"),
    Column("lost_reason", Text),
    Column("recontact_on", Date),
    Column("follow_up_of", Uuid, index=True),
    Column("renewal_of_contract", Uuid),
    Column("renewal_start", Date),
    Column("rank", Float, nullable=False, server_default="0"),
    Column("needs_review", Boolean, nullable=False, server_default="false"),
    Column("review_reason", Text),
    Column("created_by", String(128), nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("stage_entered_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    # casefold_key of title and description, written by the repository: what the text filter reads.
    Column("search_text", Text, nullable=False),
    # One renewal deal per contract and period, whatever the number of ContractRenewalDue deliveries.
    UniqueConstraint("renewal_of_contract", "renewal_start", name="uq_deals_renewal"),
    # The board: a stage's deals in kanban order.
    Index("ix_deals_board", "stage_id", "rank", "id"),
    Index("ix_deals_owner_status", "owner_id", "status", "id"),
    Index("ix_deals_status_id", "status", "id"),
    # The forecast reads open deals from the index alone.
    Index(
        "ix_deals_forecast_cover",
        "expected_close_date",
        postgresql_where=text("status = 'open'"),
        postgresql_include=[
            "owner_id",
            "team",
            "pipeline_id",
            "currency",
            "amount_minor",
            "probability",
            "best_case_minor",
            "worst_case_minor",
        ],
    ),
    Index("ix_deals_contact_ids", "contact_ids", postgresql_using="gin"),
    Index("ix_deals_tags", "tags", postgresql_using="gin"),
    Index(
        "ix_deals_search_text_trgm",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    ),
    # Lists sorted by creation or change, and exports walking the whole table in batches.
    Index("ix_deals_created", "created_at", "id"),
    Index("ix_deals_updated", "updated_at", "id"),
    # Board totals read from the index alone.
    Index(
        "ix_deals_board_totals", "stage_id", "currency", postgresql_include=["amount_minor", "probability"]
    ),
    # Deals without a close date sort last both ways.
    Index("ix_deals_close_asc", text("coalesce(expected_close_date, 'infinity'::date)"), "id"),
    Index("ix_deals_close_desc", text("coalesce(expected_close_date, '-infinity'::date)"), "id"),
    # Lists of one status sorted by amount (the biggest won deals, the largest open ones).
    Index("ix_deals_status_amount", "status", "amount_minor", "id"),
    # Won/lost reports by closing date.
    Index("ix_deals_closed", "closed_at", postgresql_where=text("status IN ('won', 'lost')")),
)

# Every saved state of a deal (a snapshot per version): the deal as of any past date.
deal_revisions = Table(
    "deal_revisions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("deal_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(128), nullable=False),
    Column("pipeline_id", Uuid, nullable=False),
    Column("stage_id", Uuid, nullable=False),
    Column("status", String(8), nullable=False),
    Column("snapshot", JSONB, nullable=False),
    UniqueConstraint("deal_id", "version", name="uq_deal_revisions_version"),
    Index("ix_deal_revisions_at", "at"),
)

# Stage history: one period per stage a deal stood in, closed when it left.
deal_stage_periods = Table(
    "deal_stage_periods",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("deal_id", Uuid, nullable=False),
    Column("pipeline_id", Uuid, nullable=False),
    Column("stage_id", Uuid, nullable=False),
    Column("stage_name", String(255), nullable=False),
    Column("stage_kind", String(8), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("entered_by", String(128), nullable=False),
    Column("left_at", DateTime(timezone=True)),
    Index("ix_deal_stage_periods_deal", "deal_id", "entered_at"),
    Index("ix_deal_stage_periods_stage", "stage_id", "entered_at"),
    # Conversion reports and snapshots of one pipeline.
    Index("ix_deal_stage_periods_pipeline", "pipeline_id", "entered_at"),
)

# A CSM or Support user asks Sales to close a deal, with the signed offer.
close_requests = Table(
    "close_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("deal_id", Uuid, ForeignKey("deals.id"), nullable=False, index=True),
    Column("outcome", String(8), nullable=False),
    Column("status", String(10), nullable=False),
    Column("signed_amount_minor", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("reason", Text),
    Column("comment", Text),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(128)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_note", Text),
    Column("version", Integer, nullable=False),
    # One pending request per deal at a time.
    Index(
        "uq_close_requests_pending",
        "deal_id",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
)

# The signed offer of a close request, kept with it in the same transaction.
signed_offers = Table(
    "signed_offers",
    metadata,
    Column("request_id", Uuid, ForeignKey("close_requests.id"), primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# Read model of the leads service's accounts: prospect or customer, CSM, merges.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255)),
    Column("owner_id", String(128)),
    Column("csm_id", String(128)),
    Column("customer", String(8), nullable=False, server_default="none"),
    Column("merged_into", Uuid),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Users known to the deals service: from the verified tokens of their requests, or registered by Admin.
users = Table(
    "users",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("team", String(128)),
    Column("roles", ARRAY(String(16)), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Idempotency-Key of POST /v1/deals: the first answer, replayed to a retry.
idempotency_keys = define_idempotency_table(metadata)
