"""HTTP API of contacts (mounted at `/v1/contacts`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lists import Filters
from crm_leads.entrypoints.accounts.schemas import (
    ContactCreate,
    ContactPublic,
    ContactQuery,
    ContactUpdate,
    LifecycleSet,
)
from crm_leads.entrypoints.duplicates.schemas import ContactCreatedPublic
from crm_leads.service_layer.accounts import lifecycle
from crm_leads.service_layer.accounts import use_cases as accounts
from crm_leads.service_layer.duplicates import checks as duplicate_checks
from crm_shared.http.conditional import PRECONDITION_RESPONSES, IfMatch, expected_version, set_etag
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["accounts and contacts"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a contact")
async def create_contact(body: ContactCreate, bus: BusDep, response: Response) -> ContactCreatedPublic:
    """Phones are stored in E.164; linked accounts must exist. Publishes `ContactCreated`.
    `duplicates` lists existing contacts it may duplicate (a warning: the contact is created)."""
    values = body.domain_values(only_set=False)
    checked = await bus.execute(duplicate_checks.create_contact, data=values)
    set_etag(response, checked.record.version)
    return ContactCreatedPublic.checked(checked)


@router.get("", summary="List contacts")
async def list_contacts(bus: BusDep, query: Annotated[ContactQuery, Query()]) -> Page[ContactPublic]:
    """Newest first; every filter is optional and they combine (e.g. `prospect_state=lost`)."""
    filters = Filters(
        equal=query.equal("language"), text=query.q, account_id=query.account_id, email=query.email
    )
    found = await bus.read(
        accounts.list_contacts, filters=filters, after=decode_cursor(query.cursor), limit=query.limit
    )
    return page_of(found, limit=query.limit, public=ContactPublic.of)


@router.get("/{contact_id}", summary="Read a contact")
async def get_contact(contact_id: UUID, bus: BusDep, response: Response) -> ContactPublic:
    contact: Contact = await bus.read(accounts.get_contact, contact_id=contact_id)
    set_etag(response, contact.version)
    return ContactPublic.of(contact)


@router.get("/{contact_id}/related", summary="Contacts sharing this contact's email domain")
async def related_contacts(
    contact_id: UUID, bus: BusDep, cursor: str | None = None, limit: Limit = 50
) -> Page[ContactPublic]:
    """Empty for addresses at public webmail providers, which say nothing about an organisation."""
    found = await bus.read(
        accounts.related_contacts, contact_id=contact_id, after=decode_cursor(cursor), limit=limit
    )
    return page_of(found, limit=limit, public=ContactPublic.of)


@router.patch("/{contact_id}", summary="Change a contact", responses=PRECONDITION_RESPONSES)
async def update_contact(
    contact_id: UUID, body: ContactUpdate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> ContactPublic:
    """Changes the fields sent (`accounts` replaces every link); publishes `ContactUpdated`."""
    contact: Contact = await bus.execute(
        accounts.update_contact,
        contact_id=contact_id,
        changes=body.domain_values(only_set=True),
        expected_version=expected_version(if_match),
    )
    set_etag(response, contact.version)
    return ContactPublic.of(contact)


@router.put(
    "/{contact_id}/lifecycle",
    summary="Set a contact's prospect or customer state by hand",
    responses={409: {"description": "The contact's deals forbid this state"}, **PRECONDITION_RESPONSES},
)
async def set_contact_lifecycle(
    contact_id: UUID, body: LifecycleSet, bus: BusDep, response: Response, if_match: IfMatch = None
) -> ContactPublic:
    """A contact with an open deal stays a current prospect; one with a won deal is never a lost one."""
    contact = await bus.execute(
        lifecycle.set_lifecycle,
        kind=Contact,
        ident=contact_id,
        prospect=body.prospect,
        customer=body.customer,
        expected_version=expected_version(if_match),
    )
    set_etag(response, contact.version)
    return ContactPublic.of(contact)
