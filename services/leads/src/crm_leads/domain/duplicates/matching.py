"""Duplicate detection: how alike two people or organisations are, field by field, and why.

Scores run from 0 to 100. An identical email is conclusive; a phone almost so; names and company
names are compared fuzzily after normalisation (case, accents, punctuation, legal forms), so
"Société Dupont SARL" and "dupont" match. An email domain alone is a weak hint, and none at all for
free mail providers, where everyone shares it.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from rapidfuzz import fuzz

from crm_shared.text_keys import address_key


class MatchField(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    COMPANY = "company"
    EMAIL_DOMAIN = "email_domain"


ALL_FIELDS = frozenset(MatchField)
WEIGHTS = {
    MatchField.EMAIL: 1.0,
    MatchField.PHONE: 0.95,
    MatchField.NAME: 0.9,
    MatchField.COMPANY: 0.85,
    MatchField.EMAIL_DOMAIN: 0.6,
}
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "icloud.com",
        "me.com",
        "aol.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "gmx.com",
        "gmx.fr",
        "protonmail.com",
        "proton.me",
        "msn.com",
    }
)
LEGAL_FORMS = re.compile(
    r"\b(sas|sasu|sarl|sa|eurl|sci|snc|inc|incorporated|ltd|limited|llc|llp|plc|gmbh|ag|bv|nv|"
    r"co|corp|corporation|company|societe|ste|group|groupe|scop|srl)\b"
)
DEFAULT_THRESHOLD = 75.0


@dataclass(frozen=True)
class Party:
    """What is compared of a lead, contact or account."""

    id: UUID
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class DuplicateMatch:
    id: UUID
    score: float
    reasons: dict[MatchField, float]


def fold(text: str | None) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def company_key(name: str | None) -> str:
    """Folded, without legal forms; dotted abbreviations (S.A.R.L.) are joined up first. A name made
    only of legal-form words ("Company SA") keeps them, so it still compares to something."""
    folded = fold((name or "").replace(".", ""))
    return " ".join(LEGAL_FORMS.sub(" ", folded).split()) or folded


def email_domain(email: str) -> str | None:
    return address_key(email.rsplit("@", 1)[1]) if "@" in email else None


def phone_key(phone: str) -> str:
    """Digits of the national number: +33 6 12 34 56 78 and 06 12 34 56 78 compare equal."""
    digits = re.sub(r"\D", "", phone)
    return digits[-9:] if len(digits) >= 9 else digits


def field_scores(a: Party, b: Party, fields: Iterable[MatchField] = ALL_FIELDS) -> dict[MatchField, float]:
    scorers = {
        MatchField.EMAIL: _email_score,
        MatchField.PHONE: _phone_score,
        MatchField.NAME: _name_score,
        MatchField.COMPANY: _company_score,
        MatchField.EMAIL_DOMAIN: _domain_score,
    }
    scores = {f: scorers[f](a, b) for f in fields}
    return {f: round(s, 1) for f, s in scores.items() if s > 0}


def match(a: Party, b: Party, fields: Iterable[MatchField] = ALL_FIELDS) -> DuplicateMatch:
    """The overall score is the strongest weighted field: one conclusive field is enough."""
    reasons = field_scores(a, b, fields)
    score = max((s * WEIGHTS[f] for f, s in reasons.items()), default=0.0)
    return DuplicateMatch(id=b.id, score=round(score, 1), reasons=reasons)


def find_duplicates(
    target: Party,
    candidates: Sequence[Party],
    fields: Iterable[MatchField] = ALL_FIELDS,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[DuplicateMatch]:
    chosen = frozenset(fields)
    found = [match(target, c, chosen) for c in candidates if c.id != target.id]
    return sorted((m for m in found if m.score >= threshold), key=lambda m: (-m.score, str(m.id)))


def _email_score(a: Party, b: Party) -> float:
    mine = {address_key(e) for e in a.emails}
    return 100.0 if mine & {address_key(e) for e in b.emails} else 0.0


def _phone_score(a: Party, b: Party) -> float:
    mine = {phone_key(p) for p in a.phones if len(phone_key(p)) >= 6}
    return 100.0 if mine & {phone_key(p) for p in b.phones} else 0.0


def _name_score(a: Party, b: Party) -> float:
    left, right = (
        fold(f"{a.first_name or ''} {a.last_name or ''}"),
        fold(f"{b.first_name or ''} {b.last_name or ''}"),
    )
    if not left or not right:
        return 0.0
    return float(fuzz.token_sort_ratio(left, right))


def _company_score(a: Party, b: Party) -> float:
    left, right = company_key(a.company), company_key(b.company)
    if not left or not right:
        return 0.0
    return float(fuzz.token_set_ratio(left, right))


def _domain_score(a: Party, b: Party) -> float:
    mine = {d for e in a.emails if (d := email_domain(e)) and d not in FREE_MAIL_DOMAINS}
    return 100.0 if mine & {email_domain(e) for e in b.emails} else 0.0
