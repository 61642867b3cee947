"""HTTP schemas of accounts and contacts, separate from tables and domain classes."""

from datetime import datetime
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import CustomerState, ProspectState
from crm_leads.domain.accounts.values import AccountLink, AccountType
from crm_leads.entrypoints.addresses import TypedAddressIn, TypedAddressPublic
from crm_shared.pagination import MAX_PAGE_SIZE
from crm_shared.text_keys import address_key

Tag = Field(min_length=1, max_length=64)
Domain = Field(None, max_length=255, pattern=r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", description="e.g. acme.fr")
Language = Literal["fr", "en"]


class AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: AccountType = Field(AccountType.PROSPECT, description="prospect, customer, supplier or partner")
    website: str | None = Field(None, max_length=2048)
    email_domain: str | None = Domain
    owner_id: str | None = Field(None, max_length=128, description="Sales owner; defaults to the creator")
    csm_id: str | None = Field(None, max_length=128, description="Customer success manager")
    team: str | None = Field(None, max_length=64)
    language: Language = "en"
    key_account: bool = False
    tags: list[str] = Field(default_factory=list, max_length=50)
    addresses: list[TypedAddressIn] = Field(default_factory=list, max_length=3)

    def domain_values(self, *, only_set: bool) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=only_set, exclude={"addresses"})
        if "addresses" in self.model_fields_set or not only_set:
            values["addresses"] = tuple(a.domain() for a in self.addresses)
        if "tags" in values:
            values["tags"] = tuple(values["tags"])
        return values


class AccountCreate(AccountFields):
    name: str = Field(min_length=1, max_length=255)


class AccountUpdate(AccountFields):
    """Only the fields sent are changed."""

    name: str = Field(None, min_length=1, max_length=255)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for name in ("name", "type", "language", "key_account", "tags", "addresses"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class AccountPublic(BaseModel):
    id: UUID
    name: str
    type: AccountType = AccountType.PROSPECT
    reference_number: int | None = Field(None, description="Sequential account number")
    website: str | None = None
    email_domain: str | None
    owner_id: str | None
    csm_id: str | None = None
    team: str | None = None
    language: str = "en"
    key_account: bool = False
    tags: list[str] = Field(default_factory=list)
    addresses: list[TypedAddressPublic] = Field(default_factory=list)
    prospect_state: ProspectState = ProspectState.NONE
    customer_state: CustomerState = CustomerState.NONE
    created_at: datetime | None = None
    updated_at: datetime | None = None
    merged_into: UUID | None = Field(None, description="Set once merged: the record to use instead")
    merged_at: datetime | None = None
    version: int = 1

    @classmethod
    def of(cls, account: Account) -> "AccountPublic":
        return cls.model_validate(account, from_attributes=True)


class AccountLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_id: UUID
    role: str | None = Field(None, max_length=128, description="The contact's role at this account")

    def domain(self) -> AccountLink:
        return AccountLink(self.account_id, self.role)


class ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: str | None = Field(None, max_length=255)
    emails: list[EmailStr] = Field(default_factory=list, max_length=10, description="The primary first")
    phones: list[str] = Field(
        default_factory=list, max_length=10, description="Stored in E.164; national numbers read as French"
    )
    job_title: str | None = Field(None, max_length=255)
    language: Language = "en"
    do_not_email: bool = False
    do_not_call: bool = False
    accounts: list[AccountLinkIn] = Field(
        default_factory=list, max_length=50, description="Linked accounts, the primary first"
    )

    def domain_values(self, *, only_set: bool) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=only_set, exclude={"accounts"})
        if "accounts" in self.model_fields_set or not only_set:
            values["accounts"] = tuple(link.domain() for link in self.accounts)
        return values


class ContactCreate(ContactFields):
    last_name: str = Field(min_length=1, max_length=255)


class ContactUpdate(ContactFields):
    """Only the fields sent are changed."""

    last_name: str = Field(None, min_length=1, max_length=255)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for name in ("last_name", "emails", "phones", "language", "do_not_email", "do_not_call", "accounts"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class AccountLinkPublic(BaseModel):
    account_id: UUID
    role: str | None


class ContactPublic(BaseModel):
    id: UUID
    first_name: str | None
    last_name: str
    email: str | None = Field(description="The primary address")
    emails: list[str] = Field(default_factory=list)
    phone: str | None = None
    phones: list[str] = Field(default_factory=list)
    job_title: str | None = None
    language: str = "en"
    do_not_email: bool = False
    do_not_call: bool = False
    account_id: UUID | None = Field(description="The primary account")
    accounts: list[AccountLinkPublic] = Field(default_factory=list)
    prospect_state: ProspectState = ProspectState.NONE
    customer_state: CustomerState = CustomerState.NONE
    created_at: datetime | None = None
    updated_at: datetime | None = None
    merged_into: UUID | None = Field(None, description="Set once merged: the record to use instead")
    merged_at: datetime | None = None
    version: int = 1

    @classmethod
    def of(cls, contact: Contact) -> "ContactPublic":
        return cls.model_validate(contact, from_attributes=True)


class LifecycleSet(BaseModel):
    """A state set by hand; refused (409) where the record's deals contradict it."""

    model_config = ConfigDict(extra="forbid")

    prospect: ProspectState | None = Field(None, description="none, current or lost")
    customer: CustomerState | None = Field(None, description="none, current or former")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.prospect is None and self.customer is None:
            raise ValueError("set prospect, customer or both")
        return self


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prospect_state: ProspectState | None = Field(None, description="Records in this prospect state")
    customer_state: CustomerState | None = Field(None, description="Records in this customer state")
    email_domain: str | None = Field(None, max_length=255)
    q: str | None = Field(None, max_length=100, description="Part of the name (or, for contacts, the email)")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    def equal(self, *names: str) -> dict[str, object]:
        values = {name: getattr(self, name) for name in ("prospect_state", "customer_state", *names)}
        return values | {"email_domain": address_key(self.email_domain) if self.email_domain else None}


class AccountQuery(ListQuery):
    type: AccountType | None = None
    owner_id: str | None = None
    csm_id: str | None = None
    team: str | None = None
    key_account: bool | None = None
    tag: str | None = Field(None, description="Accounts carrying this tag")


class ContactQuery(ListQuery):
    account_id: UUID | None = Field(None, description="Contacts linked to this account")
    email: EmailStr | None = Field(None, description="Any of the contact's addresses")
    language: Language | None = None
