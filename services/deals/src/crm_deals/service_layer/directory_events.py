"""The accounts read model, fed by the leads service's events: name, owner, CSM, customer state, merges.

Each event upserts only the columns it knows, so events arriving in any order (a lifecycle change before
the account's creation, say) still fill in one record. A win asks it whether the account is still a
prospect, and a renewal deal whom to give to (the account's CSM).
"""

from typing import Any

import structlog

from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.events import Envelope
from crm_shared.events.accounts import (
    AccountCreated,
    AccountsMerged,
    AccountUpdatedV2,
    LifecycleStatusChanged,
)

log = structlog.get_logger()


async def account_created(event: AccountCreated, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    await uow.accounts.save(event.account_id, name=event.name, owner_id=event.owner_id, csm_id=event.csm_id)


async def account_updated(event: AccountUpdatedV2, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    """The typed `.v2` update: only the name, owner and CSM matter here."""
    changes = event.changes
    values: dict[str, Any] = {}
    if changes.name:
        values["name"] = changes.name.after
    if changes.owner_id:
        values["owner_id"] = changes.owner_id.after
    if changes.csm_id:
        values["csm_id"] = changes.csm_id.after
    if values:
        await uow.accounts.save(event.account_id, **values)


async def lifecycle_status_changed(
    event: LifecycleStatusChanged, *, uow: DealsUnitOfWork, envelope: Envelope
) -> None:
    """Only accounts matter here: whether an account is a current customer or still a prospect."""
    if event.record_type == "account":
        await uow.accounts.save(event.record_id, customer=event.after.customer)


async def accounts_merged(event: AccountsMerged, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    merged = [m for m in event.merged_ids if m != event.survivor_id]
    await uow.accounts.mark_merged(merged, event.survivor_id)
    log.info("deals.accounts_merged.recorded", survivor_id=str(event.survivor_id), merged=len(merged))
