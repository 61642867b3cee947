"""Domain events of the deals context."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class DealCreated:
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    pipeline_id: UUID
    stage_id: UUID
    owner_id: str
    account_id: UUID | None
    contact_id: UUID | None
    lead_id: UUID | None


@dataclass(frozen=True)
class DealWon:
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    account_id: UUID | None
    from_stage: UUID
    to_stage: UUID
    won_at: datetime
    won_by: str
    contact_id: UUID | None = None


@dataclass(frozen=True)
class DealLost:
    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID | None
    from_stage: UUID
    to_stage: UUID
    reason: str
    lost_at: datetime
    lost_by: str
    contact_id: UUID | None = None
