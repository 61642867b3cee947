"""Rules of lead conversion: which existing accounts are likely the company a lead is about."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from crm_leads.domain.duplicates.matching import FREE_MAIL_DOMAINS, company_key
from crm_leads.domain.events import DealRequest
from crm_shared.text_keys import address_key

__all__ = ["FREE_MAIL_DOMAINS", "company_key"]


def business_domain(domain: str | None) -> str | None:
    """The email domain when it identifies a company (not a free mail provider)."""
    if not domain:
        return None
    domain = address_key(domain)
    return None if domain in FREE_MAIL_DOMAINS else domain


@dataclass(frozen=True)
class AccountSummary:
    id: UUID
    name: str
    email_domain: str | None


@dataclass(frozen=True)
class DuplicateCandidate:
    account: AccountSummary
    reasons: tuple[str, ...]
    """`name` (same company name once normalised) and/or `email_domain`."""


def likely_duplicates(
    *, name: str, email_domain: str | None, accounts: Iterable[AccountSummary]
) -> list[DuplicateCandidate]:
    key = company_key(name)
    domain = business_domain(email_domain)
    found = []
    for account in accounts:
        reasons = tuple(
            reason
            for reason, matches in (
                ("name", bool(key) and company_key(account.name) == key),
                ("email_domain", domain is not None and business_domain(account.email_domain) == domain),
            )
            if matches
        )
        if reasons:
            found.append(DuplicateCandidate(account, reasons))
    return found


@dataclass(frozen=True)
class ConversionRecord:
    """What a lead became, kept with the lead (which stays, read-only)."""

    lead_id: UUID
    account_id: UUID
    account_created: bool
    contact_id: UUID | None
    contact_created: bool
    deal: DealRequest | None
    converted_by: str
    converted_at: datetime
