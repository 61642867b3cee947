"""Merging duplicate leads, contacts or accounts into a chosen survivor, in one transaction.

The survivor takes the chosen values (an update with old and new values, like any edit); whatever
referred to the merged records is re-pointed at it; the merged records stay, read-only, marked with
their survivor; and a `...Merged` event tells other services to re-point their own references.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from crm_leads.domain import model
from crm_leads.domain.accounts import account as account_model
from crm_leads.domain.accounts import contact as contact_model
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.duplicates.merge import (
    AccountsMerged,
    ContactsMerged,
    Key,
    LeadsMerged,
    combined,
    ensure_not_merged,
    mark_merged,
    merged_changes,
)
from crm_leads.domain.model import Lead
from crm_leads.domain.values import EmailEntry, PhoneEntry
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import Conflict
from crm_shared.text_keys import casefold_key

R = TypeVar("R", Lead, Contact, Account)
MERGERS = (Role.SALES,)
"""Sales (and admin, who always passes) merge records."""


def _same(value: Any) -> object:
    return value


LEAD_COMBINE = {
    "emails": lambda e: e.address,
    "phones": lambda p: p.number,
    "tags": lambda t: casefold_key(t.name),
}
CONTACT_COMBINE = {"emails": _same, "phones": _same, "accounts": lambda link: link.account_id}
RESTRICTIVE = ("do_not_call", "do_not_email")
"""A refusal to be called or emailed, held by any of the records, holds for the survivor."""
ACCOUNT_COMBINE = {"tags": _same, "addresses": lambda a: a.kind}


@dataclass(frozen=True)
class MergeRequest:
    survivor_id: UUID
    merged_ids: tuple[UUID, ...]
    choices: Mapping[str, UUID]

    @property
    def ids(self) -> list[UUID]:
        return sorted({self.survivor_id, *self.merged_ids})


async def merge_leads(*, uow: LeadsUnitOfWork, actor: Principal, request: MergeRequest) -> Lead:
    """Converted leads are records of what they became: they are neither merged nor merged into."""
    authorize(actor, *MERGERS)
    await uow.merge_links.lock("leads", request.ids)
    records = {ident: await uow.leads.get(ident) for ident in request.ids}
    for lead in records.values():
        if lead.is_converted:
            raise Conflict(
                f"lead {lead.id} is converted: merge its account or contact instead", "lead_converted"
            )
    survivor, merged = await _apply_choices(records, request, sorted(model.EDITABLE), LEAD_COMBINE, actor)
    for lead in merged:
        mark_merged("lead", lead, into=survivor.id, at=_now())
        await uow.leads.update(lead)
    await uow.merge_links.lead_references(survivor.id, request.merged_ids)
    survivor.record(LeadsMerged(survivor.id, request.merged_ids, actor.user_id))
    await uow.leads.update(survivor)
    return survivor


async def merge_contacts(*, uow: LeadsUnitOfWork, actor: Principal, request: MergeRequest) -> Contact:
    authorize(actor, *MERGERS)
    await uow.merge_links.lock("contacts", request.ids)
    records = {ident: await uow.contacts.get(ident) for ident in request.ids}
    mergeable = sorted(contact_model.EDITABLE)
    survivor, merged = await _apply_choices(records, request, mergeable, CONTACT_COMBINE, actor)
    for contact in merged:
        mark_merged("contact", contact, into=survivor.id, at=_now())
        contact.accounts = ()  # its account links moved to the survivor
        await uow.contacts.update(contact)
    await uow.merge_links.contact_references(survivor.id, request.merged_ids)
    facts = await uow.deal_facts.of_contact(survivor.id)
    survivor.recompute(facts, by=actor.user_id, at=_now(), deal_id=None)
    survivor.record(ContactsMerged(survivor.id, request.merged_ids, actor.user_id))
    await uow.contacts.update(survivor)
    return survivor


async def merge_accounts(*, uow: LeadsUnitOfWork, actor: Principal, request: MergeRequest) -> Account:
    authorize(actor, *MERGERS)
    await uow.merge_links.lock("accounts", request.ids)
    records = {ident: await uow.accounts.get(ident) for ident in request.ids}
    mergeable = sorted(account_model.EDITABLE)
    survivor, merged = await _apply_choices(records, request, mergeable, ACCOUNT_COMBINE, actor)
    await _move_contacts(uow, survivor.id, request.merged_ids, by=actor.user_id)
    for account in merged:
        mark_merged("account", account, into=survivor.id, at=_now())
        await uow.accounts.update(account)
    await uow.merge_links.account_references(survivor.id, request.merged_ids)
    facts = await uow.deal_facts.of_account(survivor.id)
    survivor.recompute(facts, by=actor.user_id, at=_now(), deal_id=None)
    survivor.record(AccountsMerged(survivor.id, request.merged_ids, actor.user_id))
    await uow.accounts.update(survivor)
    return survivor


async def _apply_choices(
    records: Mapping[UUID, R],
    request: MergeRequest,
    mergeable: list[str],
    combine: Mapping[str, Key],
    actor: Principal,
) -> tuple[R, list[R]]:
    """The survivor updated with the merged values, and the records merged into it."""
    for record in records.values():
        ensure_not_merged(type(record).__name__.lower(), record)
    values = {ident: {f: getattr(r, f) for f in mergeable} for ident, r in records.items()}
    changes = merged_changes(
        survivor_id=request.survivor_id,
        records=values,
        mergeable=mergeable,
        choices=request.choices,
        combine=combine,
        restrictive=[f for f in RESTRICTIVE if f in mergeable],
    )
    survivor = records[request.survivor_id]
    others = [records[ident] for ident in request.ids if ident != survivor.id]
    if changes:
        survivor.update(_one_primary({f: new for f, (_, new) in changes.items()}), by=actor.user_id)
    return survivor, others


def _one_primary(values: dict[str, Any]) -> dict[str, Any]:
    """Combined lead emails and phones keep one primary: the first (the survivor's, or the chosen)."""
    for name in ("emails", "phones"):
        entries = values.get(name)
        if entries and isinstance(entries[0], EmailEntry | PhoneEntry):
            values[name] = tuple(replace(e, primary=i == 0) for i, e in enumerate(entries))
    return values


async def _move_contacts(uow: LeadsUnitOfWork, survivor: UUID, merged: tuple[UUID, ...], *, by: str) -> None:
    """Contacts of merged accounts now work for the survivor; a contact linked to both keeps one link."""
    for contact_id in await uow.merge_links.contacts_of(merged):
        contact = await uow.contacts.get(contact_id, for_update=True)
        moved = [
            AccountLink(survivor if a.account_id in merged else a.account_id, a.role)
            for a in contact.accounts
        ]
        kept = combined([moved], key=lambda link: link.account_id)  # an account's first link wins
        contact.update({"accounts": kept}, by=by)
        await uow.contacts.update(contact)


def _now() -> datetime:
    return datetime.now(UTC)
