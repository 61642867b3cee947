"""What duplicate detection compares of each kind of record, and which fields a search may choose."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.duplicates.matching import ALL_FIELDS, MatchField, Party
from crm_leads.domain.model import Lead
from crm_shared.errors import InvalidInput

LEAD_FIELDS = ALL_FIELDS
CONTACT_FIELDS = frozenset({MatchField.NAME, MatchField.EMAIL, MatchField.PHONE, MatchField.EMAIL_DOMAIN})
ACCOUNT_FIELDS = frozenset({MatchField.COMPANY, MatchField.EMAIL_DOMAIN})
"""Accounts have a name and a domain, no personal address or number."""


@dataclass(frozen=True)
class Candidate:
    """A record that may duplicate another: what is compared of it, and how to name it to people."""

    party: Party
    label: str


def party_of_lead(lead: Lead) -> Party:
    return Party(
        id=lead.id,
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=lead.company_name,
        emails=tuple(e.address for e in lead.emails),
        phones=tuple(p.number for p in lead.phones),
    )


def party_of_contact(contact: Contact) -> Party:
    return Party(
        id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        emails=contact.emails,
        phones=contact.phones,
    )


def party_of_account(account: Account) -> Party:
    return account_party(account.id, account.name, account.email_domain)


def account_party(ident: UUID, name: str, email_domain: str | None) -> Party:
    # The domain is compared as an address's domain; an account has no address of its own, and the
    # email field is never chosen for accounts, so "@domain" stands for it.
    return Party(id=ident, company=name, emails=(f"@{email_domain}",) if email_domain else ())


def chosen_fields(names: Iterable[str] | None, allowed: frozenset[MatchField]) -> frozenset[MatchField]:
    """The fields a search compares: those named (all the kind's fields when none are)."""
    if not names:
        return allowed
    chosen: set[MatchField] = set()
    for name in names:
        try:
            field = MatchField(name.strip())
        except ValueError:
            raise InvalidInput("fields", f"unknown field {name!r}") from None
        if field not in allowed:
            raise InvalidInput("fields", f"{field.value!r} is not compared for this kind of record")
        chosen.add(field)
    return frozenset(chosen)
