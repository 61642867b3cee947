"""The board of a pipeline and the CSV export, over HTTP on real PostgreSQL."""

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain.model import Deal, Pipeline
from crm_deals.domain.pipelines import StageKind, StageSpec
from crm_deals.entrypoints.view_schemas import CSV_COLUMNS
from crm_deals.service_layer import views
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
HYPERLINK = '=HYPERLINK("http://evil","x")'
BASE = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


@dataclass
class Seeded:
    pipeline: Pipeline
    deals: list[Deal]


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_board"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as running:
        yield running


def board_pipeline(name: str) -> Pipeline:
    specs = [("Lead", 10, StageKind.OPEN), ("Offer", 50, StageKind.OPEN)]
    specs += [("Won", 100, StageKind.WON), ("Lost", 0, StageKind.LOST)]
    return Pipeline.create(name=name, currency="EUR", stages=[StageSpec(*s) for s in specs])


def board_deals(pipeline: Pipeline) -> list[Deal]:
    """Lead: 5 EUR deals (rank ties, an overridden probability); Offer: EUR and USD; one won; none lost."""
    lead, offer = pipeline.ordered[0], pipeline.ordered[1]
    specs = [
        (lead, 1.0, HYPERLINK, 123_450, "EUR", "sales-1", None),
        (lead, 1.0, "Second", 333, "EUR", "sales-2", None),
        (lead, 0.5, "First", 1_005, "EUR", "sales-1", 33),
        (lead, 2.0, "Third", 25, "EUR", "sales-2", None),
        (lead, 3.0, "Fourth", 75, "EUR", "sales-1", None),
        (offer, 1.0, "Euro offer", 10_001, "EUR", "sales-1", None),
        (offer, 2.0, "Another euro offer", 20_000, "EUR", "sales-2", None),
        (offer, 3.0, "Dollar offer", 50_000, "USD", "sales-1", None),
        (offer, 4.0, "Winner", 7_000, "EUR", "sales-1", None),
    ]
    made = []
    for i, (stage, rank, title, amount, currency, owner, probability) in enumerate(specs):
        deal = Deal.open(
            pipeline=pipeline,
            stage=stage,
            by=owner,
            rank=rank,
            title=title,
            amount_minor=amount,
            currency=currency,
            owner_id=owner,
            probability=probability,
            tags=("vip", "renewal") if i == 0 else (),
        )
        deal.created_at = BASE + timedelta(minutes=i)
        made.append(deal)
    made[-1].win(pipeline=pipeline, by="sales-1")
    return made


@pytest.fixture(scope="module")
async def seeded(service: RunningService) -> Seeded:
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        pipeline, elsewhere = board_pipeline("Board"), board_pipeline("Elsewhere")
        made = board_deals(pipeline)
        for p in (pipeline, elsewhere):
            await uow.pipelines.add(p)
        for deal in [*made, *board_deals(elsewhere)]:  # other pipelines never count
            await uow.deals.add(deal)
        await uow.commit()
    return Seeded(pipeline, made)


def totals(found: list[Deal]) -> list[dict]:
    by_currency: dict[str, list[Deal]] = {}
    for deal in found:
        by_currency.setdefault(deal.currency, []).append(deal)
    return [
        {
            "currency": currency,
            "count": len(group),
            "amount_minor": sum(d.amount_minor for d in group),
            "weighted_minor": int(
                (Decimal(sum(d.amount_minor * d.probability for d in group)) / 100).quantize(
                    Decimal(1), ROUND_HALF_UP
                )
            ),
        }
        for currency, group in sorted(by_currency.items())
    ]


async def test_the_board_counts_and_sums_every_stage_in_order(service, seeded):
    response = await service.http.get(f"/v1/pipelines/{seeded.pipeline.id}/board", headers=SALES)
    assert response.status_code == 200, response.text
    board = response.json()
    assert [s["name"] for s in board["stages"]] == ["Lead", "Offer", "Won", "Lost"]
    for stage in board["stages"]:
        inside = [d for d in seeded.deals if str(d.stage_id) == stage["id"]]
        assert stage["count"] == len(inside)
        assert stage["amounts"] == totals(inside)
        assert {d["id"] for d in stage["deals"]} == {str(d.id) for d in inside}
    lead, offer, won, lost = board["stages"]
    # 10% of 123450 + 333 + 25 + 75, and 33% of 1005 (an overridden probability): 12388.3 + 331.65
    assert (lead["currency"], lead["amount_minor"], lead["weighted_minor"]) == ("EUR", 124_888, 12_720)
    assert (offer["currency"], offer["amount_minor"], offer["weighted_minor"]) == (None, None, None)
    assert len(offer["amounts"]) == 2
    assert (won["count"], won["weighted_minor"]) == (1, 7_000)
    assert (lost["count"], lost["amount_minor"], lost["currency"], lost["amounts"]) == (0, 0, "EUR", [])
    assert all(s["next_cursor"] is None for s in board["stages"])


async def test_a_stage_shows_its_first_deals_by_rank_and_the_list_continues_it(service, seeded):
    url = f"/v1/pipelines/{seeded.pipeline.id}/board"
    lead = (await service.http.get(url, params={"limit": 2}, headers=SALES)).json()["stages"][0]
    inside = [d for d in seeded.deals if str(d.stage_id) == lead["id"]]
    expected = [str(d.id) for d in sorted(inside, key=lambda d: (d.rank, d.id))]
    assert lead["count"] == 5
    seen, cursor = [d["id"] for d in lead["deals"]], lead["next_cursor"]
    while cursor is not None:
        params = {"stage_id": lead["id"], "sort": "rank", "cursor": cursor, "limit": 2}
        page = (await service.http.get("/v1/deals", params=params, headers=SALES)).json()
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
    assert seen == expected


async def test_the_board_applies_the_list_filters(service, seeded):
    mine = auth_headers("sales-2", Role.SALES)
    url = f"/v1/pipelines/{seeded.pipeline.id}/board"
    board = (await service.http.get(url, params={"mine": "true"}, headers=mine)).json()
    assert [s["count"] for s in board["stages"]] == [2, 1, 0, 0]
    assert board["stages"][0]["amount_minor"] == 358


async def test_the_board_of_an_unknown_pipeline_is_not_found(service, seeded):
    url = "/v1/pipelines/01890000-0000-7000-8000-000000000000/board"
    assert (await service.http.get(url, headers=SALES)).status_code == 404


async def test_the_export_streams_every_deal_in_batches_with_neutralised_cells(service, seeded, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_BATCH", 2)  # several batches for a few deals
    params = {"pipeline_id": str(seeded.pipeline.id)}
    response = await service.http.get("/v1/deals/export.csv", params=params, headers=SALES)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.text
    assert text.startswith("\ufeff")
    assert '"\'=HYPERLINK(""http://evil"",""x"")"' in text  # quoted: a spreadsheet shows it as text
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header == list(CSV_COLUMNS)
    listed = (await service.http.get("/v1/deals", params=params | {"limit": 200}, headers=SALES)).json()
    assert [r[0] for r in rows] == [d["id"] for d in listed["items"]]
    cells = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    first = cells[str(seeded.deals[0].id)]
    assert first["title"] == "'" + HYPERLINK
    assert (first["amount"], first["currency"]) == ("1234.50", "EUR")
    assert (first["pipeline"], first["stage"], first["tags"]) == ("Board", "Lead", "vip; renewal")
    assert cells[str(seeded.deals[-1].id)]["status"] == "won"


async def test_the_export_applies_the_filters(service, seeded):
    params = {"pipeline_id": str(seeded.pipeline.id), "currency": "USD"}
    refused = await service.http.get("/v1/deals/export.csv", params=params, headers=SALES)
    assert refused.status_code == 422  # not a filter of deals
    params = {"pipeline_id": str(seeded.pipeline.id), "q": "offer", "owner_id": "sales-2"}
    response = await service.http.get("/v1/deals/export.csv", params=params, headers=SALES)
    rows = list(csv.reader(io.StringIO(response.text[1:])))[1:]
    assert [r[1] for r in rows] == ["Another euro offer"]
