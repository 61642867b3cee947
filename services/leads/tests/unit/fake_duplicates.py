"""In-memory stand-ins of what duplicate checks look up and merges re-point (see `fake_repositories`
for the common ground)."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal
from uuid import UUID

from crm_leads.domain.duplicates.matching import MatchField, Party
from crm_leads.domain.duplicates.parties import (
    Candidate,
    party_of_account,
    party_of_contact,
    party_of_lead,
)
from services.leads.tests.unit.fake_repositories import FakeDatabase, live

Kind = Literal["leads", "contacts", "accounts"]


class FakeDuplicateCandidates:
    """Every live record is a candidate: no prefilter, the domain's scoring alone decides."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def leads(self, target: Party, fields: frozenset[MatchField]) -> list[Candidate]:
        return [
            Candidate(party_of_lead(x), x.display_name + (f" ({x.company_name})" if x.company_name else ""))
            for x in live(self.db.leads.values())
            if x.id != target.id
        ]

    async def contacts(self, target: Party, fields: frozenset[MatchField]) -> list[Candidate]:
        return [
            Candidate(party_of_contact(x), x.display_name)
            for x in live(self.db.contacts.values())
            if x.id != target.id
        ]

    async def accounts(self, target: Party, fields: frozenset[MatchField]) -> list[Candidate]:
        return [
            Candidate(party_of_account(x), x.name)
            for x in live(self.db.accounts.values())
            if x.id != target.id
        ]


class FakeMergeLinks:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.locked: list[tuple[Kind, list[UUID]]] = []

    async def lock(self, kind: Kind, ids: Sequence[UUID]) -> None:
        self.locked.append((kind, sorted(ids)))

    async def lead_references(self, survivor: UUID, merged: Sequence[UUID]) -> None:
        for submission in self.db.submissions:
            if submission["lead_id"] in merged:
                submission["lead_id"] = survivor

    async def contact_references(self, survivor: UUID, merged: Sequence[UUID]) -> None:
        repoint(self.db, "contact_id", survivor, merged)

    async def account_references(self, survivor: UUID, merged: Sequence[UUID]) -> None:
        repoint(self.db, "account_id", survivor, merged)

    async def contacts_of(self, account_ids: Sequence[UUID]) -> list[UUID]:
        linked = [
            c.id
            for c in live(self.db.contacts.values())
            if {a.account_id for a in c.accounts} & set(account_ids)
        ]
        return sorted(linked)

    async def survivor_of(self, kind: Kind, ident: UUID) -> UUID | None:
        rows = getattr(self.db, kind)
        for _ in range(10):
            if ident not in rows:
                return None
            if rows[ident].merged_into is None:
                return ident
            ident = rows[ident].merged_into
        return ident


def repoint(db: FakeDatabase, attribute: str, survivor: UUID, merged: Sequence[UUID]) -> None:
    """What an SQL UPDATE of a reference column does: every row naming a merged record names the
    survivor (stored rows change in place, versions stay)."""
    for rows in (db.leads, db.conversions):
        for ident, row in list(rows.items()):
            if getattr(row, attribute, None) in merged:
                rows[ident] = replace(row, **{attribute: survivor})
    for deal_id, fact in list(db.deal_facts.items()):
        if getattr(fact, attribute) in merged:
            db.deal_facts[deal_id] = replace(fact, **{attribute: survivor})
