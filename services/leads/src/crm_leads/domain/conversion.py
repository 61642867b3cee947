"""Rules of lead conversion: which existing accounts are likely the company a lead is about."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from crm_leads.domain.events import DealRequest

# Addresses at these domains say nothing about the company a person works for.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "free.fr", "gmail.com", "gmx.com", "gmx.fr", "googlemail.com", "hotmail.com",
        "hotmail.fr", "icloud.com", "laposte.net", "live.com", "live.fr", "me.com", "msn.com",
        "orange.fr", "outlook.com", "outlook.fr", "proton.me", "protonmail.com", "sfr.fr",
        "wanadoo.fr", "yahoo.com", "yahoo.fr",
    }
)  # fmt: skip
LEGAL_FORMS = frozenset(
    {
        "ag", "bv", "co", "company", "corp", "corporation", "eurl", "gmbh", "inc", "incorporated",
        "limited", "llc", "ltd", "plc", "sa", "sarl", "sas", "sasu", "sci", "scop", "srl",
    }
)  # fmt: skip


def company_key(name: str) -> str:
    """`Analytical Engines, S.A.S.` and `analytical engines` compare equal: no accents, case, legal form."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\b)", "", plain)  # s.a.s -> sas
    words = re.findall(r"[a-z0-9]+", plain)
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def business_domain(domain: str | None) -> str | None:
    """The email domain when it identifies a company (not a free mail provider)."""
    if not domain:
        return None
    domain = domain.lower()
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
