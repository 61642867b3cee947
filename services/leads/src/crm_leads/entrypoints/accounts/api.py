"""HTTP API of accounts (mounted at `/v1/accounts`); contacts have theirs in `contacts_api`."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.lists import Filters
from crm_leads.entrypoints.accounts.schemas import (
    AccountCreate,
    AccountPublic,
    AccountQuery,
    AccountUpdate,
    LifecycleSet,
)
from crm_leads.entrypoints.duplicates.schemas import AccountCreatedPublic
from crm_leads.service_layer.accounts import lifecycle
from crm_leads.service_layer.accounts import use_cases as accounts
from crm_leads.service_layer.duplicates import checks as duplicate_checks
from crm_shared.http.conditional import PRECONDITION_RESPONSES, IfMatch, expected_version, set_etag
from crm_shared.pagination import Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["accounts and contacts"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an account")
async def create_account(body: AccountCreate, bus: BusDep, response: Response) -> AccountCreatedPublic:
    """Numbers the account from a sequence and publishes `AccountCreated`. `duplicates` lists existing
    accounts it may duplicate (a warning: the account is created)."""
    values = body.domain_values(only_set=False)
    checked = await bus.execute(duplicate_checks.create_account, data=values)
    set_etag(response, checked.record.version)
    return AccountCreatedPublic.checked(checked)


@router.get("", summary="List accounts")
async def list_accounts(bus: BusDep, query: Annotated[AccountQuery, Query()]) -> Page[AccountPublic]:
    """Newest first; every filter is optional and they combine."""
    equal = query.equal("type", "owner_id", "csm_id", "team", "key_account")
    found = await bus.read(
        accounts.list_accounts,
        filters=Filters(equal=equal, text=query.q, tag=query.tag),
        after=decode_cursor(query.cursor),
        limit=query.limit,
    )
    return page_of(found, limit=query.limit, public=AccountPublic.of)


@router.get("/{account_id}", summary="Read an account")
async def get_account(account_id: UUID, bus: BusDep, response: Response) -> AccountPublic:
    account: Account = await bus.read(accounts.get_account, account_id=account_id)
    set_etag(response, account.version)
    return AccountPublic.of(account)


@router.patch("/{account_id}", summary="Change an account", responses=PRECONDITION_RESPONSES)
async def update_account(
    account_id: UUID, body: AccountUpdate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> AccountPublic:
    """Changes the fields sent; publishes `AccountUpdated` with each field's old and new values."""
    account: Account = await bus.execute(
        accounts.update_account,
        account_id=account_id,
        changes=body.domain_values(only_set=True),
        expected_version=expected_version(if_match),
    )
    set_etag(response, account.version)
    return AccountPublic.of(account)


@router.put(
    "/{account_id}/lifecycle",
    summary="Set an account's prospect or customer state by hand",
    responses={409: {"description": "The account's deals forbid this state"}, **PRECONDITION_RESPONSES},
)
async def set_account_lifecycle(
    account_id: UUID, body: LifecycleSet, bus: BusDep, response: Response, if_match: IfMatch = None
) -> AccountPublic:
    """An account with an open deal stays a current prospect; one with a won deal is never a lost one."""
    account = await bus.execute(
        lifecycle.set_lifecycle,
        kind=Account,
        ident=account_id,
        prospect=body.prospect,
        customer=body.customer,
        expected_version=expected_version(if_match),
    )
    set_etag(response, account.version)
    return AccountPublic.of(account)
