"""Contracts over HTTP: who may read them, filters and keyset pagination."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from crm_quotes.domain.model import Contract
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.testing.service import RunningService, auth_headers

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)


async def seed(quotes: RunningService, **overrides: Any) -> Contract:
    """Stores a contract as the DealWon consumer would, without going through Kafka."""
    values: dict[str, Any] = {
        "deal_id": uuid4(),
        "account_id": uuid4(),
        "title": "Media plan",
        "won_at": datetime(2025, 1, 31, 9, 0, tzinfo=UTC),
        "budget_minor": 500_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "csm_id": "csm-1",
    }
    contract = Contract.for_won_deal(**values | overrides)
    async with quotes.runtime.uow(EventContext(correlation_id="seed")) as uow:
        await uow.contracts.add(contract)
        await uow.commit()
    return contract


@pytest.mark.parametrize("role", [Role.SALES, Role.CSM, Role.SUPPORT, Role.ADMIN])
async def test_each_reading_role_gets_a_contract(quotes, role):
    contract = await seed(quotes)
    response = await quotes.http.get(f"/v1/contracts/{contract.id}", headers=auth_headers("u-1", role))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["deal_id"] == str(contract.deal_id)
    assert (body["start_date"], body["end_date"]) == ("2025-01-31", "2026-01-31")
    assert body["budget_minor"] == 500_000
    assert body["status"] == "active"


async def test_a_caller_without_a_reading_role_is_forbidden(quotes):
    contract = await seed(quotes)
    nobody = auth_headers("u-2")
    for path in (f"/v1/contracts/{contract.id}", "/v1/contracts"):
        response = await quotes.http.get(path, headers=nobody)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"


async def test_requests_without_a_valid_token_are_refused(quotes):
    contract = await seed(quotes)
    bad = {"Authorization": "Bearer not.a.token"}
    for path in (f"/v1/contracts/{contract.id}", "/v1/contracts"):
        assert (await quotes.http.get(path)).status_code == 401
        assert (await quotes.http.get(path, headers=bad)).status_code == 401


async def test_an_unknown_contract_is_not_found(quotes):
    response = await quotes.http.get(f"/v1/contracts/{uuid4()}", headers=SALES)
    assert response.status_code == 404
    assert response.json()["status"] == 404


async def ids(quotes: RunningService, query: str) -> list[str]:
    response = await quotes.http.get(f"/v1/contracts?{query}", headers=SALES)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


async def test_filters_by_deal_account_and_owner(quotes):
    account = uuid4()
    first = await seed(quotes, account_id=account)
    second = await seed(quotes, account_id=account)
    theirs = await seed(quotes, account_id=account, owner_id="sales-2")
    elsewhere = await seed(quotes)
    newest_first = [str(c.id) for c in (theirs, second, first)]
    assert await ids(quotes, f"account_id={account}") == newest_first
    assert await ids(quotes, f"account_id={account}&owner_id=sales-2") == [str(theirs.id)]
    assert await ids(quotes, f"deal_id={elsewhere.deal_id}") == [str(elsewhere.id)]
    assert await ids(quotes, f"deal_id={first.deal_id}&account_id={elsewhere.account_id}") == []


async def test_list_is_paginated_by_cursor(quotes):
    account = uuid4()
    created = [await seed(quotes, account_id=account) for _ in range(3)]
    first = (await quotes.http.get(f"/v1/contracts?account_id={account}&limit=2", headers=SALES)).json()
    assert first["next_cursor"]
    second = (
        await quotes.http.get(
            f"/v1/contracts?account_id={account}&limit=2&cursor={first['next_cursor']}", headers=SALES
        )
    ).json()
    assert second["next_cursor"] is None
    seen = [c["id"] for c in first["items"] + second["items"]]
    assert seen == [str(c.id) for c in reversed(created)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("deal_id=nope", "query.deal_id"),
        ("limit=0", "query.limit"),
        ("cursor=%25%25", "cursor"),
        ("status=active", "query.status"),  # no such filter: refused rather than ignored
    ],
)
async def test_invalid_filters_name_the_field(quotes, query, field):
    response = await quotes.http.get(f"/v1/contracts?{query}", headers=SALES)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
