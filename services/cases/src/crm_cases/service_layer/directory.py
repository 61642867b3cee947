"""The contacts and accounts read model, fed by the leads service's events. It recognises senders and
finds an account's CSM. Updates (their typed `.v2`) apply only the fields this service keeps; an update
arriving before its creation starts the record, so the order of delivery does not matter."""

from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from uuid import UUID

from crm_cases.adapters.case_directory import KnownAccount, KnownContact
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.events import Envelope
from crm_shared.events.accounts import (
    AccountCreated,
    AccountLink,
    AccountsMerged,
    AccountUpdatedV2,
    ContactCreated,
    ContactsMerged,
    ContactUpdatedV2,
)


def _account_ids(links: Iterable[AccountLink]) -> tuple[UUID, ...]:
    return tuple(dict.fromkeys(link.account_id for link in links))


async def contact_created(event: ContactCreated, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    primary = event.account_id or next(iter(_account_ids(event.accounts)), None)
    await uow.directory.save_contact(
        KnownContact(
            id=event.contact_id,
            first_name=event.first_name,
            last_name=event.last_name,
            language=event.language,
            account_id=primary,
            account_ids=tuple(
                dict.fromkeys((*([primary] if primary else []), *_account_ids(event.accounts)))
            ),
            emails=tuple(dict.fromkeys([*([str(event.email)] if event.email else []), *event.emails])),
        )
    )


async def contact_updated(event: ContactUpdatedV2, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    changes = event.changes
    values: dict[str, Any] = {}
    if changes.first_name:
        values["first_name"] = changes.first_name.after
    if changes.last_name:
        values["last_name"] = changes.last_name.after or ""
    if changes.language:
        values["language"] = changes.language.after
    if changes.emails:
        values["emails"] = tuple(changes.emails.after or ())
    if changes.accounts:
        values["account_ids"] = _account_ids(changes.accounts.after or ())
        values["account_id"] = next(iter(values["account_ids"]), None)
    if values:
        contact = await uow.directory.contact(event.contact_id) or KnownContact(id=event.contact_id)
        await uow.directory.save_contact(replace(contact, **values))


async def contacts_merged(event: ContactsMerged, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    await uow.directory.merge_contacts(event.survivor_id, event.merged_ids)


async def account_created(event: AccountCreated, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    await uow.directory.save_account(
        KnownAccount(id=event.account_id, name=event.name, csm_id=event.csm_id, team=event.team)
    )


async def account_updated(event: AccountUpdatedV2, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    changes = event.changes
    values: dict[str, Any] = {}
    if changes.name and changes.name.after:
        values["name"] = changes.name.after
    if changes.csm_id:
        values["csm_id"] = changes.csm_id.after
    if changes.team:
        values["team"] = changes.team.after
    if values:
        account = await uow.directory.account(event.account_id) or KnownAccount(id=event.account_id, name="")
        await uow.directory.save_account(replace(account, **values))


async def accounts_merged(event: AccountsMerged, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    await uow.directory.merge_accounts(event.survivor_id, event.merged_ids)
