"""Tables of the quotes database (plus the shared outbox and inbox, from make_metadata)."""

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, String, Table, Uuid

from crm_shared.db import make_metadata

metadata = make_metadata()

contracts = Table(
    "contracts",
    metadata,
    Column("id", Uuid, primary_key=True),
    # One contract per won deal, whatever the number of deliveries of DealWon.
    Column("deal_id", Uuid, nullable=False, unique=True),
    Column("account_id", Uuid, index=True),
    Column("title", String(255), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("owner_id", String(128), nullable=False, index=True),
    Column("csm_id", String(128)),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)
