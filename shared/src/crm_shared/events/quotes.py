"""Events published by the quotes service on `crm.quotes.events`."""

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from crm_shared.events.base import IntegrationEvent


class ContractCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.quotes.contract_created.v1"
    subject_field: ClassVar[str] = "contract_id"

    contract_id: UUID
    deal_id: UUID
    account_id: UUID | None = None
    title: str
    start_date: date
    end_date: date
    budget_minor: int = Field(ge=0)
    currency: str
    owner_id: str
    csm_id: str | None = None
