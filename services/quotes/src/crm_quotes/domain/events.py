"""Domain events of the quotes context (translated to integration events by the service layer)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from crm_shared.domain import DomainEvent


@dataclass(frozen=True)
class ContractCreated(DomainEvent):
    contract_id: UUID
    deal_id: UUID
    account_id: UUID | None
    title: str
    start_date: date
    end_date: date
    budget_minor: int
    currency: str
    owner_id: str
    csm_id: str | None
