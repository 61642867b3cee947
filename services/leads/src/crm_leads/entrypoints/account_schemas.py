"""HTTP schemas of accounts and contacts."""

from uuid import UUID

from pydantic import BaseModel

from crm_leads.domain.accounts import Account, Contact


class AccountPublic(BaseModel):
    id: UUID
    name: str
    email_domain: str | None
    owner_id: str | None

    @classmethod
    def of(cls, account: Account) -> "AccountPublic":
        return cls.model_validate(account, from_attributes=True)


class ContactPublic(BaseModel):
    id: UUID
    first_name: str | None
    last_name: str
    email: str | None
    account_id: UUID | None

    @classmethod
    def of(cls, contact: Contact) -> "ContactPublic":
        return cls.model_validate(contact, from_attributes=True)
