"""The contacts and accounts read model, fed by the leads service's events. It recognises senders and
finds an account's CSM. Updates apply only the fields this service keeps; an update arriving before
its creation starts the record, so the order of delivery does not matter."""

from dataclasses import replace
from typing import Any
from uuid import UUID

from crm_cases.adapters.case_directory import KnownAccount, KnownContact
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.events import Envelope
from crm_shared.events.accounts import (
    AccountCreated,
    AccountsMerged,
    AccountUpdated,
    ContactCreated,
    ContactsMerged,
    ContactUpdated,
)

CONTACT_FIELDS = ("first_name", "last_name", "language", "account_id")
ACCOUNT_FIELDS = ("name", "csm_id", "team")


def _account_ids(links: Any) -> tuple[UUID, ...]:
    """Account links as published: objects or plain dicts with an `account_id`."""
    found = (getattr(link, "account_id", None) or (link or {}).get("account_id") for link in links or ())
    return tuple(dict.fromkeys(UUID(str(a)) for a in found if a))


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


async def contact_updated(event: ContactUpdated, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    after = {name: new for name, (_, new) in event.changed.items()}
    contact = await uow.directory.contact(event.contact_id) or KnownContact(id=event.contact_id)
    values: dict[str, Any] = {k: after[k] for k in CONTACT_FIELDS if k in after}
    if "account_id" in values and values["account_id"] is not None:
        values["account_id"] = UUID(str(values["account_id"]))
    if "emails" in after or "email" in after:
        values["emails"] = tuple(after.get("emails") or ([after["email"]] if after.get("email") else []))
    if "accounts" in after:
        values["account_ids"] = _account_ids(after["accounts"])
        values.setdefault("account_id", next(iter(values["account_ids"]), None))
    if values:
        await uow.directory.save_contact(replace(contact, **values))


async def contacts_merged(event: ContactsMerged, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    await uow.directory.merge_contacts(event.survivor_id, event.merged_ids)


async def account_created(event: AccountCreated, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    await uow.directory.save_account(
        KnownAccount(id=event.account_id, name=event.name, csm_id=event.csm_id, team=event.team)
    )


async def account_updated(event: AccountUpdated, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    values = {k: new for k, (_, new) in event.changed.items() if k in ACCOUNT_FIELDS}
    if values:
        account = await uow.directory.account(event.account_id) or KnownAccount(id=event.account_id, name="")
        await uow.directory.save_account(replace(account, **values))


async def accounts_merged(event: AccountsMerged, *, uow: CasesUnitOfWork, envelope: Envelope) -> None:
    await uow.directory.merge_accounts(event.survivor_id, event.merged_ids)
