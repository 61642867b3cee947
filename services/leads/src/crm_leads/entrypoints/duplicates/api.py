"""HTTP API of duplicates: fuzzy search and merges of leads, contacts and accounts, one router for each
(mounted at `/v1/leads`, `/v1/contacts` and `/v1/accounts`); the checks on create answer in the create
responses."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm_leads.domain.duplicates.matching import DEFAULT_THRESHOLD
from crm_leads.entrypoints.accounts.schemas import AccountPublic, ContactPublic
from crm_leads.entrypoints.duplicates.schemas import DuplicatePublic, MergeIn
from crm_leads.entrypoints.schemas import LeadPublic
from crm_leads.service_layer.duplicates import checks as duplicate_checks
from crm_leads.service_layer.duplicates import merges
from crm_shared.runtime import BusDep

leads_router = APIRouter(tags=["duplicates"])
contacts_router = APIRouter(tags=["duplicates"])
accounts_router = APIRouter(tags=["duplicates"])

Fields = Annotated[
    str | None,
    Query(
        max_length=100,
        description="Comma-separated fields to compare: company, name, email, phone, email_domain "
        "(contacts: no company; accounts: company and email_domain). All of them when absent.",
    ),
]
Threshold = Annotated[float, Query(ge=0, le=100, description="Lowest score listed (0 to 100)")]
MERGE_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Only sales and admin merge records"},
    404: {"description": "A record named does not exist"},
    409: {"description": "A lead named is converted (merge its account or contact instead)"},
    410: {"description": "A record named was already merged into another"},
    422: {"description": "The survivor is among the merged, or a choice names a field or record wrongly"},
}


def _names(fields: str | None) -> list[str]:
    return [name for name in (fields or "").split(",") if name.strip()]


@leads_router.get("/{lead_id}/duplicates", summary="Leads that look like this one, best first")
async def lead_duplicates(
    lead_id: UUID, bus: BusDep, fields: Fields = None, threshold: Threshold = DEFAULT_THRESHOLD
) -> list[DuplicatePublic]:
    found = await bus.read(
        duplicate_checks.lead_duplicates, lead_id=lead_id, fields=_names(fields), threshold=threshold
    )
    return [DuplicatePublic.of(d) for d in found]


@contacts_router.get("/{contact_id}/duplicates", summary="Contacts that look like this one, best first")
async def contact_duplicates(
    contact_id: UUID, bus: BusDep, fields: Fields = None, threshold: Threshold = DEFAULT_THRESHOLD
) -> list[DuplicatePublic]:
    found = await bus.read(
        duplicate_checks.contact_duplicates, contact_id=contact_id, fields=_names(fields), threshold=threshold
    )
    return [DuplicatePublic.of(d) for d in found]


@accounts_router.get("/{account_id}/duplicates", summary="Accounts that look like this one, best first")
async def account_duplicates(
    account_id: UUID, bus: BusDep, fields: Fields = None, threshold: Threshold = DEFAULT_THRESHOLD
) -> list[DuplicatePublic]:
    found = await bus.read(
        duplicate_checks.account_duplicates, account_id=account_id, fields=_names(fields), threshold=threshold
    )
    return [DuplicatePublic.of(d) for d in found]


@leads_router.post("/merge", summary="Merge leads into a survivor", responses=MERGE_RESPONSES)
async def merge_leads(body: MergeIn, bus: BusDep) -> LeadPublic:
    """Publishes `LeadsMerged`; the merged leads stay readable, marked `merged_into` the survivor."""
    return LeadPublic.of(await bus.execute(merges.merge_leads, request=body.request()))


@contacts_router.post("/merge", summary="Merge contacts into a survivor", responses=MERGE_RESPONSES)
async def merge_contacts(body: MergeIn, bus: BusDep) -> ContactPublic:
    """Leads, conversions, deals and account links move to the survivor; publishes `ContactsMerged`."""
    return ContactPublic.of(await bus.execute(merges.merge_contacts, request=body.request()))


@accounts_router.post("/merge", summary="Merge accounts into a survivor", responses=MERGE_RESPONSES)
async def merge_accounts(body: MergeIn, bus: BusDep) -> AccountPublic:
    """Contacts, leads, conversions and deals move to the survivor; publishes `AccountsMerged`."""
    return AccountPublic.of(await bus.execute(merges.merge_accounts, request=body.request()))
