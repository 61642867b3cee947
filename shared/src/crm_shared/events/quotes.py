"""Events published by the quotes service on `crm.quotes.events`."""

from datetime import date, datetime
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


class QuoteSent(IntegrationEvent):
    """A quote went to the customer: deals moves the deal to its pipeline's proposal stage."""

    event_type: ClassVar[str] = "crm.quotes.quote_sent.v1"
    subject_field: ClassVar[str] = "quote_id"

    quote_id: UUID
    deal_id: UUID | None = None
    account_id: UUID | None = None
    number: str | None = None
    amount_minor: int = Field(ge=0, description="Net of VAT, in minor units")
    currency: str
    sent_by: str
    sent_at: datetime


class QuoteAccepted(IntegrationEvent):
    """The customer accepted (signed) a quote."""

    event_type: ClassVar[str] = "crm.quotes.quote_accepted.v1"
    subject_field: ClassVar[str] = "quote_id"

    quote_id: UUID
    deal_id: UUID | None = None
    account_id: UUID | None = None
    amount_minor: int = Field(ge=0)
    currency: str
    accepted_by: str = Field(description="The user who recorded the acceptance")
    accepted_at: datetime


class OrderConfirmed(IntegrationEvent):
    """An order was confirmed; deals wins the linked deal where its pipeline says so."""

    event_type: ClassVar[str] = "crm.quotes.order_confirmed.v1"
    subject_field: ClassVar[str] = "order_id"

    order_id: UUID
    quote_id: UUID | None = None
    deal_id: UUID | None = None
    account_id: UUID | None = None
    amount_minor: int = Field(ge=0)
    currency: str
    confirmed_by: str
    confirmed_at: datetime


class ContractRenewalDue(IntegrationEvent):
    """A contract nears its end (one month before by default): time to chase its renewal."""

    event_type: ClassVar[str] = "crm.quotes.contract_renewal_due.v1"
    subject_field: ClassVar[str] = "contract_id"

    contract_id: UUID
    deal_id: UUID | None = Field(None, description="The deal the contract came from")
    account_id: UUID | None = None
    title: str
    end_date: date
    renewal_start: date = Field(description="First day of the period to renew; one renewal per period")
    renewal_end: date
    budget_minor: int = Field(ge=0)
    currency: str
    owner_id: str
    csm_id: str | None = None
