"""Lifecycle of contacts and accounts: deal events feed a read model of deals, states are recomputed
from it; people may set a state by hand where the rules allow."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import (
    CustomerState,
    DealFact,
    DealRecord,
    DealState,
    ProspectState,
    merged,
)
from crm_leads.domain.duplicates.merge import ensure_not_merged
from crm_leads.service_layer.accounts.use_cases import WRITERS
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, authorize
from crm_shared.errors import NotFound
from crm_shared.events import Envelope
from crm_shared.events.deals import DealCreated, DealLost, DealReopened, DealWon

R = TypeVar("R", Contact, Account)


async def on_deal_created(event: DealCreated, *, uow: LeadsUnitOfWork, envelope: Envelope) -> None:
    change = DealRecord(event.deal_id, DealState.OPEN, event.contact_id, event.account_id, envelope.time)
    await apply_deal_change(uow=uow, incoming=change, by="system")


async def on_deal_won(event: DealWon, *, uow: LeadsUnitOfWork, envelope: Envelope) -> None:
    change = DealRecord(event.deal_id, DealState.WON, event.contact_id, event.account_id, event.won_at)
    await apply_deal_change(uow=uow, incoming=change, by=event.won_by)


async def on_deal_lost(event: DealLost, *, uow: LeadsUnitOfWork, envelope: Envelope) -> None:
    change = DealRecord(event.deal_id, DealState.LOST, event.contact_id, event.account_id, event.lost_at)
    await apply_deal_change(uow=uow, incoming=change, by=event.lost_by)


async def on_deal_reopened(event: DealReopened, *, uow: LeadsUnitOfWork, envelope: Envelope) -> None:
    change = DealRecord(event.deal_id, DealState.OPEN, event.contact_id, event.account_id, event.reopened_at)
    await apply_deal_change(uow=uow, incoming=change, by=event.reopened_by)


async def apply_deal_change(*, uow: LeadsUnitOfWork, incoming: DealRecord, by: str) -> None:
    """Merge the event into what is known of the deal, then recompute every record it touches or left."""
    known = await uow.deal_facts.get(incoming.deal_id)
    incoming = await _survivors(uow, incoming)
    if incoming.account_id is None and incoming.contact_id is not None:
        # A deal of a contact who belongs to an account counts for the account too.
        contact = await _find(uow, Contact, incoming.contact_id)
        incoming = replace(incoming, account_id=contact.account_id if isinstance(contact, Contact) else None)
    record = merged(known, incoming)
    if record == known:
        return
    await uow.deal_facts.save(record)
    before = known or record
    # Sorted, contacts first: concurrent consumers lock records in the same order.
    for contact_id in _ids(before.contact_id, record.contact_id):
        await _recompute(uow, Contact, contact_id, cause=record, by=by)
    for account_id in _ids(before.account_id, record.account_id):
        await _recompute(uow, Account, account_id, cause=record, by=by)


async def _survivors(uow: LeadsUnitOfWork, record: DealRecord) -> DealRecord:
    """A deal naming a merged contact or account counts for its survivor (until deals re-points it)."""
    contact_id = record.contact_id and await uow.merge_links.survivor_of("contacts", record.contact_id)
    account_id = record.account_id and await uow.merge_links.survivor_of("accounts", record.account_id)
    return replace(
        record, contact_id=contact_id or record.contact_id, account_id=account_id or record.account_id
    )


def _ids(*ids: UUID | None) -> list[UUID]:
    return sorted({i for i in ids if i is not None})


async def _recompute(
    uow: LeadsUnitOfWork,
    kind: type[R],
    ident: UUID,
    *,
    cause: DealRecord,
    by: str,
) -> None:
    record = await _find(uow, kind, ident, for_update=True)
    if record is None:
        return  # a deal of a record this service does not know: the read model still keeps it
    facts = await _facts(uow, kind, ident)
    if record.recompute(facts, by=by, at=cause.changed_at, deal_id=cause.deal_id):
        await _save(uow, record)


async def set_lifecycle(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    kind: type[R],
    ident: UUID,
    prospect: ProspectState | None,
    customer: CustomerState | None,
    expected_version: int | None,
) -> R:
    """A state set by hand; 409 where the record's deals contradict it (nothing is changed then)."""
    authorize(actor, *WRITERS)
    record = await _find(uow, kind, ident, for_update=True)
    if record is None:
        raise NotFound(kind.__name__.lower(), ident)
    ensure_not_merged(kind.__name__.lower(), record)
    record.check_version(expected_version)
    facts = await _facts(uow, kind, ident)
    record.set_lifecycle(facts, prospect=prospect, customer=customer, by=actor.user_id, at=datetime.now(UTC))
    await _save(uow, record)
    return record


async def _facts(uow: LeadsUnitOfWork, kind: type[R], ident: UUID) -> list[DealFact]:
    return await (uow.deal_facts.of_contact(ident) if kind is Contact else uow.deal_facts.of_account(ident))


async def _find(uow: LeadsUnitOfWork, kind: type[R], ident: UUID, *, for_update: bool = False) -> R | None:
    repository = uow.contacts if kind is Contact else uow.accounts
    try:
        found = await repository.get(ident, for_update=for_update)
    except NotFound:
        return None
    assert isinstance(found, kind)
    return found


async def _save(uow: LeadsUnitOfWork, record: Contact | Account) -> None:
    if isinstance(record, Contact):
        await uow.contacts.update(record)
    else:
        await uow.accounts.update(record)
