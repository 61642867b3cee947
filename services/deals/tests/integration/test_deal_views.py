"""Deal lists over HTTP on real PostgreSQL: every filter, every sort paged to the end, cursors, roles."""

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from crm_deals.adapters.tables import deals
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain.deal_query import DealSort
from crm_deals.domain.model import Deal, DealStatus, Pipeline
from crm_deals.domain.pipelines import StageKind, StageSpec
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
ACCOUNTS = [uuid.UUID(int=0xA0 + i) for i in range(3)]
CONTACTS = [uuid.UUID(int=0xC0 + i) for i in range(4)]
OWNERS = ["sales-1", "sales-2", "csm-1"]
TAGS: list[tuple[str, ...]] = [("vip",), ("vip", "renewal"), ("renewal",), ()]
BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SPECIAL_TITLES = {1: '=HYPERLINK("http://evil","x")', 2: "50%_off promo", 3: "500 off"}


@dataclass
class Seeded:
    pipeline: Pipeline
    deals: list[Deal]


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_views"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as running:
        yield running


def pipeline_of_views() -> Pipeline:
    specs = [("Lead", 10, StageKind.OPEN), ("Offer", 50, StageKind.OPEN)]
    specs += [("Won", 100, StageKind.WON), ("Lost", 0, StageKind.LOST)]
    return Pipeline.create(name="Views", currency="EUR", stages=[StageSpec(*s) for s in specs])


def seeded_deal(i: int, pipeline: Pipeline) -> Deal:
    """Deal i: ties on every sort key, undated deals, both currencies, open, won and lost deals."""
    deal = Deal.open(
        pipeline=pipeline,
        stage=pipeline.ordered[i % 2],
        by="sales-1",
        rank=float(i % 5),
        title=SPECIAL_TITLES.get(i, f"Deal {i:02d}"),
        description="Needs a 50%_OFF coupon" if i == 4 else None,
        amount_minor=(i * 7 % 10) * 1000 + 50,
        currency="USD" if i % 5 == 0 else "EUR",
        owner_id=OWNERS[i % 3],
        team="north" if i % 2 else "south",
        expected_close_date=None if i % 4 == 0 else date(2026, 1, 1) + timedelta(days=i % 6),
        account_id=ACCOUNTS[i % 3],
        contact_id=CONTACTS[i % 4],
        contact_ids=(CONTACTS[(i + 1) % 4],) if i % 3 == 0 else (),
        tags=TAGS[i % 4],
    )
    if i % 7 == 0:
        deal.win(pipeline=pipeline, by="sales-1")
    elif i % 7 == 1:
        deal.lose(pipeline=pipeline, reason="price", by="sales-1")
    deal.needs_review = i % 6 == 2
    deal.created_at = BASE + timedelta(minutes=i // 3)
    deal.updated_at = BASE + timedelta(minutes=(i * 5) % 7)
    return deal


@pytest.fixture(scope="module")
async def seeded(service: RunningService) -> Seeded:
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        pipeline = pipeline_of_views()
        await uow.pipelines.add(pipeline)
        made = [seeded_deal(i, pipeline) for i in range(30)]
        for deal in made:
            await uow.deals.add(deal)
        await uow.commit()
    return Seeded(pipeline, made)


async def listed(service: RunningService, params: dict[str, Any], headers=SALES) -> list[str]:
    response = await service.http.get("/v1/deals", params=params | {"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return [d["id"] for d in response.json()["items"]]


def token(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


Case = tuple[Callable[[Seeded], dict[str, Any]], Callable[[Deal, Seeded], bool]]
FILTERS: dict[str, Case] = {
    "status": (lambda s: {"status": "won"}, lambda d, s: d.status is DealStatus.WON),
    "statuses": (
        lambda s: {"status": ["open", "lost"]},
        lambda d, s: d.status in (DealStatus.OPEN, DealStatus.LOST),
    ),
    "pipeline": (lambda s: {"pipeline_id": str(s.pipeline.id)}, lambda d, s: True),
    "stage": (
        lambda s: {"stage_id": str(s.pipeline.ordered[1].id)},
        lambda d, s: d.stage_id == s.pipeline.ordered[1].id,
    ),
    "owner": (lambda s: {"owner_id": "csm-1"}, lambda d, s: d.owner_id == "csm-1"),
    "team": (lambda s: {"team": "north"}, lambda d, s: d.team == "north"),
    "account": (lambda s: {"account_id": str(ACCOUNTS[1])}, lambda d, s: d.account_id == ACCOUNTS[1]),
    "contact": (
        lambda s: {"contact_id": str(CONTACTS[2])},
        lambda d, s: d.contact_id == CONTACTS[2] or CONTACTS[2] in d.contact_ids,
    ),
    "amount": (
        lambda s: {"amount_min": 3050, "amount_max": 6050},
        lambda d, s: 3050 <= d.amount_minor <= 6050,
    ),
    "close": (
        lambda s: {"close_from": "2026-01-02", "close_to": "2026-01-04"},
        lambda d, s: (
            d.expected_close_date is not None
            and date(2026, 1, 2) <= d.expected_close_date <= date(2026, 1, 4)
        ),
    ),
    "tags": (
        lambda s: {"tags": ["VIP", "renewal"]},
        lambda d, s: {"vip", "renewal"} <= set(d.tags),
    ),
    "text": (
        lambda s: {"q": "50%_off"},
        lambda d, s: "50%_off" in f"{d.title} {d.description}".lower(),
    ),
    "review": (lambda s: {"needs_review": "true"}, lambda d, s: d.needs_review),
    "combined": (
        lambda s: {"owner_id": "sales-1", "status": "open", "tags": "vip"},
        lambda d, s: d.owner_id == "sales-1" and d.status is DealStatus.OPEN and "vip" in d.tags,
    ),
}


@pytest.mark.parametrize("name", FILTERS)
async def test_each_filter_lists_exactly_the_matching_deals(service, seeded, name):
    params, matches = FILTERS[name]
    expected = {str(d.id) for d in seeded.deals if matches(d, seeded)}
    if name != "pipeline":
        assert 0 < len(expected) < len(seeded.deals)  # the filter must leave something out
    assert set(await listed(service, params(seeded))) == expected


async def test_mine_lists_the_callers_deals(service, seeded):
    mine = await listed(service, {"mine": "true"}, headers=auth_headers("sales-2", Role.SALES))
    assert set(mine) == {str(d.id) for d in seeded.deals if d.owner_id == "sales-2"}


def expected_order(found: list[Deal], sort: DealSort) -> list[str]:
    """(key, id) in the sort's direction; deals without a key (no close date) last, by id likewise."""
    valued = [d for d in found if getattr(d, sort.column) is not None]
    missing = [d for d in found if getattr(d, sort.column) is None]
    valued.sort(key=lambda d: (getattr(d, sort.column), d.id), reverse=sort.descending)
    missing.sort(key=lambda d: d.id, reverse=sort.descending)
    return [str(d.id) for d in valued + missing]


@pytest.mark.parametrize("sort", list(DealSort))
async def test_each_sort_pages_to_the_end_without_duplicate_or_gap(service, seeded, sort):
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        params = {"sort": sort.value, "limit": 4} | ({"cursor": cursor} if cursor else {})
        page = (await service.http.get("/v1/deals", params=params, headers=SALES)).json()
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == len(seeded.deals)
    if sort is DealSort.TITLE:  # the database's collation decides the order of titles
        async with service.runtime.engine.connect() as connection:
            rows = await connection.execute(select(deals.c.id).order_by(deals.c.title, deals.c.id))
            assert seen == [str(r.id) for r in rows]
    else:
        assert seen == expected_order(seeded.deals, sort)


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "%%%"},
        {"cursor": token("-created_at", "2026-01-01T00:00:00+00:00", "not-an-id")},
        {"sort": "title", "cursor": token("title", 1, str(uuid.uuid4()))},
        {
            "sort": "amount_minor",
            "cursor": token("-created_at", "2026-01-01T00:00:00+00:00", str(uuid.uuid4())),
        },
    ],
)
async def test_a_bad_cursor_is_refused_naming_the_cursor(service, seeded, params):
    response = await service.http.get("/v1/deals", params=params, headers=SALES)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


async def test_a_cursor_of_another_sort_is_refused(service, seeded):
    first = await service.http.get("/v1/deals", params={"sort": "title", "limit": 2}, headers=SALES)
    cursor = first.json()["next_cursor"]
    response = await service.http.get("/v1/deals", params={"sort": "-title", "cursor": cursor}, headers=SALES)
    assert response.status_code == 422
    refused = await service.http.get("/v1/deals", params={"sort": "rank", "cursor": cursor}, headers=SALES)
    assert [e["field"] for e in refused.json()["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"amount_min": 10, "amount_max": 5}, "amount_min"),
        ({"close_from": "2026-02-01", "close_to": "2026-01-01"}, "close_from"),
        ({"mine": "true", "owner_id": "someone-else"}, "owner_id"),
        ({"status": "pending"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_invalid_filters_are_refused_naming_the_field(service, seeded, params, field):
    response = await service.http.get("/v1/deals", params=params, headers=SALES)
    assert response.status_code == 422
    assert field in response.json()["errors"][0]["field"]


READ_PATHS = ["/v1/deals", "/v1/deals/export.csv", "/v1/pipelines/{pipeline}/board"]


@pytest.mark.parametrize("path", READ_PATHS)
async def test_every_reader_role_reads_and_others_are_refused(service, seeded, path):
    url = path.format(pipeline=seeded.pipeline.id)
    for role in (Role.SALES, Role.CSM, Role.SUPPORT, Role.ADMIN):
        response = await service.http.get(url, headers=auth_headers(f"{role}-9", role))
        assert response.status_code == 200, (role, response.text)
    assert (await service.http.get(url)).status_code == 401
    assert (await service.http.get(url, headers=auth_headers("nobody", team="north"))).status_code == 403
