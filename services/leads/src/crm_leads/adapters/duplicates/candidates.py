"""Duplicate candidates: a cheap SQL prefilter, served by indexes, of records that share an address,
a number or a business email domain with the target, or whose names look alike (pg_trgm). The
candidates are then scored in Python (domain.duplicates.matching), which decides.

Names are compared in the casefolded `search_text` columns the repositories write (ADR 0006): pg_trgm
finds the fuzzy look-alikes, folded (no accents) and casefolded; a plain substring test finds the
casefold-equal ones on any cluster, even where pg_trgm sees no word (a C locale and a non-Latin
script)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, Table, literal, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.accounts.tables import accounts, contacts
from crm_leads.adapters.search_keys import escape_like
from crm_leads.adapters.tables import leads
from crm_leads.domain.duplicates.matching import (
    FREE_MAIL_DOMAINS,
    MatchField,
    Party,
    company_key,
    email_domain,
    fold,
)
from crm_leads.domain.duplicates.parties import Candidate, account_party
from crm_shared.text_keys import address_key, casefold_key

CANDIDATE_LIMIT = 200
"""Per criterion: enough for any real set of duplicates; bounds the scoring work on very common names.
The union is not cut again, so one criterion's many look-alikes never crowd out another's match."""


def _domains(party: Party) -> list[str]:
    return sorted({d for e in party.emails if (d := email_domain(e)) and d not in FREE_MAIL_DOMAINS})


def _like_words(text: str, column: Any) -> ColumnElement[bool]:
    """Every word of `text` has a similar word in `column` (pg_trgm word similarity, indexed)."""
    return literal(text).op("<%")(column)


def _alike(search_text: Any, folded: str, name: str) -> list[ColumnElement[bool]]:
    """Rows whose casefolded `search_text` holds `name` (as typed; `folded` is its duplicate-check
    form): fuzzily without accents; and, when the name has letters beyond ASCII (which pg_trgm may not
    see as letters, and `fold` may have dropped), fuzzily with them and as a plain substring."""
    found = [_like_words(folded, search_text)] if folded else []
    keyed = casefold_key(name)
    if keyed.isascii():
        return found
    return [*found, _like_words(keyed, search_text), search_text.like(f"%{escape_like(keyed)}%", escape="\\")]


class DuplicateCandidates:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def leads(self, target: Party, fields: frozenset[MatchField]) -> list[Candidate]:
        c, where = leads.c, list[ColumnElement[bool]]()
        if MatchField.EMAIL in fields:
            where += [c.emails.contains([{"address": address_key(e)}]) for e in target.emails]
        if MatchField.PHONE in fields:
            where += [c.phones.contains([{"number": p}]) for p in target.phones]
        if MatchField.EMAIL_DOMAIN in fields:
            # A literal, not a pattern; the exact domain comparison happens in the scoring.
            where += [c.search_text.like(f"%@{escape_like(d)}%", escape="\\") for d in _domains(target)]
        name = f"{target.first_name or ''} {target.last_name or ''}"
        if MatchField.NAME in fields:
            where += _alike(c.search_text, fold(name), name)
        if MatchField.COMPANY in fields and target.company:
            where += _alike(c.search_text, company_key(target.company), target.company)
        columns = (c.id, c.first_name, c.last_name, c.company_name, c.emails, c.phones)
        rows = await self._rows(leads, select(*columns), target.id, where)
        return [
            Candidate(
                Party(
                    id=row.id,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    company=row.company_name,
                    emails=tuple(e["address"] for e in row.emails),
                    phones=tuple(p["number"] for p in row.phones),
                ),
                _label(row.first_name, row.last_name)
                + (f" ({row.company_name})" if row.company_name else ""),
            )
            for row in rows
        ]

    async def contacts(self, target: Party, fields: frozenset[MatchField]) -> list[Candidate]:
        c, where = contacts.c, list[ColumnElement[bool]]()
        emails, phones = [address_key(e) for e in target.emails], list(target.phones)
        if MatchField.EMAIL in fields and emails:
            where += [c.email.in_(emails), c.other_emails.overlap(emails)]
        if MatchField.PHONE in fields and phones:
            where += [c.phone.in_(phones), c.other_phones.overlap(phones)]
        if MatchField.EMAIL_DOMAIN in fields and (domains := _domains(target)):
            where.append(c.email_domain.in_(domains))
        if MatchField.NAME in fields:
            name = f"{target.first_name or ''} {target.last_name or ''}"
            where += _alike(c.search_text, fold(name), name)
        columns = (c.id, c.first_name, c.last_name, c.email, c.other_emails, c.phone, c.other_phones)
        rows = await self._rows(contacts, select(*columns), target.id, where)
        return [
            Candidate(
                Party(
                    id=row.id,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    emails=tuple(_present(row.email, row.other_emails)),
                    phones=tuple(_present(row.phone, row.other_phones)),
                ),
                _label(row.first_name, row.last_name),
            )
            for row in rows
        ]

    async def accounts(self, target: Party, fields: frozenset[MatchField]) -> list[Candidate]:
        c, where = accounts.c, list[ColumnElement[bool]]()
        if MatchField.EMAIL_DOMAIN in fields and (domains := _domains(target)):
            where.append(c.email_domain.in_(domains))
        if MatchField.COMPANY in fields and (key := company_key(target.company)):
            where += [c.name_key == key, *_alike(c.search_text, key, target.company or "")]
        rows = await self._rows(accounts, select(c.id, c.name, c.email_domain), target.id, where)
        return [Candidate(account_party(row.id, row.name, row.email_domain), row.name) for row in rows]

    async def _rows(
        self, table: Table, query: Select[Any], exclude: UUID, where: list[ColumnElement[bool]]
    ) -> list[Any]:
        """One limited sub-query per criterion, united: each uses its own index whatever the plan,
        where a single OR across criteria ends in a scan of the whole table."""
        if not where:
            return []
        live = (table.c.merged_into.is_(None), table.c.id != exclude)
        matches = [select(table.c.id).where(criterion, *live).limit(CANDIDATE_LIMIT) for criterion in where]
        ids = union(*matches).subquery()
        query = query.where(table.c.id.in_(select(ids.c.id)))
        return list(await self._connection.execute(query))


def _present(first: str | None, others: Iterable[str]) -> list[str]:
    return [first, *others] if first else list(others)


def _label(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)
