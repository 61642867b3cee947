"""Duplicate checks: on create (a warning in the response, never a block) and on demand, with the
fields to compare and a threshold chosen by the user."""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.duplicates.matching import DEFAULT_THRESHOLD, MatchField, Party, find_duplicates
from crm_leads.domain.duplicates.parties import (
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    LEAD_FIELDS,
    Candidate,
    chosen_fields,
    party_of_account,
    party_of_contact,
    party_of_lead,
)
from crm_leads.domain.model import Lead
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.accounts import use_cases as accounts
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
Prefilter = Callable[[Party, frozenset[MatchField]], Awaitable[list[Candidate]]]
"""The records worth scoring: a cheap look-up of those sharing an address, a number, a name..."""


@dataclass(frozen=True)
class Duplicate:
    id: UUID
    label: str
    score: float
    reasons: dict[MatchField, float]


@dataclass(frozen=True)
class Checked:
    """A record just created, with the existing records it may duplicate."""

    record: Any
    duplicates: list[Duplicate]


async def matches(
    target: Party,
    prefilter: Prefilter,
    fields: frozenset[MatchField],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Duplicate]:
    candidates = await prefilter(target, fields)
    labels = {c.party.id: c.label for c in candidates}
    found = find_duplicates(target, [c.party for c in candidates], fields, threshold)
    return [Duplicate(m.id, labels[m.id], m.score, m.reasons) for m in found]


async def create_lead(*, uow: LeadsUnitOfWork, actor: Principal, data: use_cases.NewLead) -> Checked:
    lead = await use_cases.create_lead(uow=uow, actor=actor, data=data)
    found = await matches(party_of_lead(lead), uow.duplicate_candidates.leads, LEAD_FIELDS)
    return Checked(lead, found)


async def create_contact(*, uow: LeadsUnitOfWork, actor: Principal, data: Mapping[str, Any]) -> Checked:
    contact = await accounts.create_contact(uow=uow, actor=actor, data=data)
    found = await matches(party_of_contact(contact), uow.duplicate_candidates.contacts, CONTACT_FIELDS)
    return Checked(contact, found)


async def create_account(*, uow: LeadsUnitOfWork, actor: Principal, data: Mapping[str, Any]) -> Checked:
    account = await accounts.create_account(uow=uow, actor=actor, data=data)
    found = await matches(party_of_account(account), uow.duplicate_candidates.accounts, ACCOUNT_FIELDS)
    return Checked(account, found)


async def lead_duplicates(
    *, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID, fields: Iterable[str], threshold: float
) -> list[Duplicate]:
    authorize(actor, *READERS)
    lead: Lead = await uow.leads.get(lead_id)
    chosen = chosen_fields(fields, LEAD_FIELDS)
    return await matches(party_of_lead(lead), uow.duplicate_candidates.leads, chosen, threshold)


async def contact_duplicates(
    *, uow: LeadsUnitOfWork, actor: Principal, contact_id: UUID, fields: Iterable[str], threshold: float
) -> list[Duplicate]:
    authorize(actor, *READERS)
    contact: Contact = await uow.contacts.get(contact_id)
    chosen = chosen_fields(fields, CONTACT_FIELDS)
    return await matches(party_of_contact(contact), uow.duplicate_candidates.contacts, chosen, threshold)


async def account_duplicates(
    *, uow: LeadsUnitOfWork, actor: Principal, account_id: UUID, fields: Iterable[str], threshold: float
) -> list[Duplicate]:
    authorize(actor, *READERS)
    account: Account = await uow.accounts.get(account_id)
    chosen = chosen_fields(fields, ACCOUNT_FIELDS)
    return await matches(party_of_account(account), uow.duplicate_candidates.accounts, chosen, threshold)
