"""Events of accounts and contacts, published by the leads service on `crm.leads.events`."""

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from crm_shared.events.base import IntegrationEvent
from crm_shared.events.changes import Change, Changes

AccountType = Literal["prospect", "customer", "supplier", "partner"]


class AccountAddress(BaseModel):
    """A postal address of an account, typed billing, delivery or default."""

    kind: Literal["billing", "delivery", "default"]
    line1: str
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str = Field(description="ISO 3166-1 alpha-2 code")


class AccountCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.account_created.v1"
    subject_field: ClassVar[str] = "account_id"

    account_id: UUID
    name: str
    email_domain: str | None = None
    owner_id: str | None = None
    csm_id: str | None = None
    type: AccountType | None = None
    reference_number: int | None = Field(None, description="Sequential, human-friendly account number")
    website: str | None = None
    team: str | None = None
    language: str | None = None
    key_account: bool = False
    tags: list[str] = Field(default_factory=list)
    addresses: list[AccountAddress] = Field(default_factory=list)
    created_by: str | None = None


class AccountUpdated(IntegrationEvent):
    """Fields of an account changed: `changed` maps each field to its [old, new] values.

    Superseded by v2 (typed changes); still published beside it until its subscribers move."""

    event_type: ClassVar[str] = "crm.leads.account_updated.v1"
    subject_field: ClassVar[str] = "account_id"

    account_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_by: str


class AccountChanges(Changes):
    """The fields of an account that can change; those absent did not. Lists are whole."""

    name: Change[str] | None = None
    type: Change[AccountType] | None = None
    website: Change[str] | None = None
    email_domain: Change[str] | None = None
    owner_id: Change[str] | None = None
    csm_id: Change[str] | None = None
    team: Change[str] | None = None
    language: Change[str] | None = None
    key_account: Change[bool] | None = None
    tags: Change[list[str]] | None = None
    addresses: Change[list[AccountAddress]] | None = None


class AccountUpdatedV2(IntegrationEvent):
    """Fields of an account changed, each with its typed before and after values (published beside v1)."""

    event_type: ClassVar[str] = "crm.leads.account_updated.v2"
    subject_field: ClassVar[str] = "account_id"

    account_id: UUID
    changes: AccountChanges
    updated_by: str


class AccountLink(BaseModel):
    """A contact's link to an account, with the contact's role there."""

    account_id: UUID
    role: str | None = None


class ContactCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.contact_created.v1"
    subject_field: ClassVar[str] = "contact_id"

    contact_id: UUID
    account_id: UUID | None = Field(None, description="The contact's primary account")
    first_name: str | None = None
    last_name: str
    email: EmailStr | None = None
    language: str | None = None
    emails: list[str] = Field(default_factory=list, description="Every address, the primary first")
    phones: list[str] = Field(default_factory=list, description="E.164 numbers, the primary first")
    job_title: str | None = None
    do_not_email: bool = False
    do_not_call: bool = False
    accounts: list[AccountLink] = Field(default_factory=list)
    created_by: str | None = None


class ContactUpdated(IntegrationEvent):
    """Fields of a contact changed: `changed` maps each field to its [old, new] values.

    Superseded by v2 (typed changes); still published beside it until its subscribers move."""

    event_type: ClassVar[str] = "crm.leads.contact_updated.v1"
    subject_field: ClassVar[str] = "contact_id"

    contact_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_by: str


class ContactChanges(Changes):
    """The fields of a contact that can change; those absent did not. Lists are whole."""

    first_name: Change[str] | None = None
    last_name: Change[str] | None = None
    emails: Change[list[str]] | None = Field(None, description="Every address, the primary first")
    phones: Change[list[str]] | None = Field(None, description="E.164 numbers, the primary first")
    job_title: Change[str] | None = None
    language: Change[str] | None = None
    do_not_email: Change[bool] | None = None
    do_not_call: Change[bool] | None = None
    accounts: Change[list[AccountLink]] | None = Field(
        None, description="Every account link, the primary account first"
    )


class ContactUpdatedV2(IntegrationEvent):
    """Fields of a contact changed, each with its typed before and after values (published beside v1)."""

    event_type: ClassVar[str] = "crm.leads.contact_updated.v2"
    subject_field: ClassVar[str] = "contact_id"

    contact_id: UUID
    changes: ContactChanges
    updated_by: str


class Lifecycle(BaseModel):
    prospect: Literal["none", "current", "lost"]
    customer: Literal["none", "current", "former"]


class LifecycleStatusChanged(IntegrationEvent):
    """A contact's or an account's prospect/customer state changed (from deal events or by hand)."""

    event_type: ClassVar[str] = "crm.leads.lifecycle_status_changed.v1"
    subject_field: ClassVar[str] = "record_id"

    record_type: Literal["contact", "account"]
    record_id: UUID
    before: Lifecycle
    after: Lifecycle
    changed_by: str
    deal_id: UUID | None = Field(None, description="The deal whose event caused the change, if any")
    changed_at: datetime


class AccountsMerged(IntegrationEvent):
    """Duplicate accounts were merged into a survivor: re-point references to `merged_ids` at it.

    Contacts, leads and deals of the merged accounts now belong to the survivor; the merged accounts
    stay readable (marked merged) but can no longer change.
    """

    event_type: ClassVar[str] = "crm.leads.accounts_merged.v1"
    subject_field: ClassVar[str] = "survivor_id"

    survivor_id: UUID
    merged_ids: list[UUID] = Field(min_length=1)
    merged_by: str


class ContactsMerged(IntegrationEvent):
    """Duplicate contacts were merged into a survivor: re-point references to `merged_ids` at it."""

    event_type: ClassVar[str] = "crm.leads.contacts_merged.v1"
    subject_field: ClassVar[str] = "survivor_id"

    survivor_id: UUID
    merged_ids: list[UUID] = Field(min_length=1)
    merged_by: str
