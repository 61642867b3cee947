"""HTTP schemas of the quotes API, separate from tables and domain classes."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from crm_quotes.domain.model import Contract, ContractStatus
from crm_shared.pagination import MAX_PAGE_SIZE


class ContractPublic(BaseModel):
    id: UUID
    deal_id: UUID
    account_id: UUID | None
    title: str
    start_date: date
    end_date: date = Field(description="Start date plus the term (12 months), clamped to the month's end")
    budget_minor: int = Field(description="The won deal's amount, in minor units (cents)")
    currency: str = Field(description="ISO 4217 code")
    owner_id: str
    csm_id: str | None
    status: ContractStatus
    created_at: datetime
    version: int

    @classmethod
    def of(cls, contract: Contract) -> "ContractPublic":
        return cls.model_validate(contract, from_attributes=True)


class ContractQuery(BaseModel):
    """Filters and page of `GET /v1/contracts`; an unknown parameter is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")

    deal_id: UUID | None = None
    account_id: UUID | None = None
    owner_id: str | None = Field(None, min_length=1, max_length=128)
    cursor: str | None = Field(None, max_length=64)
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
