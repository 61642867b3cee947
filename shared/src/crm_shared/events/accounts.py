"""Events of accounts and contacts, published by the leads service on `crm.leads.events`."""

from typing import ClassVar
from uuid import UUID

from pydantic import EmailStr

from crm_shared.events.base import IntegrationEvent


class AccountCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.account_created.v1"
    subject_field: ClassVar[str] = "account_id"

    account_id: UUID
    name: str
    email_domain: str | None = None
    owner_id: str | None = None
    csm_id: str | None = None


class ContactCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.contact_created.v1"
    subject_field: ClassVar[str] = "contact_id"

    contact_id: UUID
    account_id: UUID | None = None
    first_name: str | None = None
    last_name: str
    email: EmailStr | None = None
    language: str | None = None
