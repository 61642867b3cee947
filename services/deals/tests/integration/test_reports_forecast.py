"""The forecast on real PostgreSQL (open deals by month of expected close, group and currency), and
who may read history, forecast and reports."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from crm_deals.adapters.tables import deals
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain.model import Deal
from crm_deals.service_layer import closing
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.http.csv_cells import BOM
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

READERS = {role: auth_headers(f"{role}-1", role) for role in (Role.SALES, Role.CSM, Role.SUPPORT)}
SALES = READERS[Role.SALES]
NOBODY = auth_headers("nobody-1")  # a valid token with no role
SQUAD = {
    "name": "SALES SQUAD",
    "stages": [
        {"name": "À contacter", "probability": 10},
        {"name": "En contact", "probability": 25},
        {"name": "Offer send", "probability": 50},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ],
}
# (owner, team, currency, amount, stage, expected close, extra fields); the last one is won.
DEALS: list[tuple[str, str, str, int, str, date | None, dict[str, Any]]] = [
    ("sales-1", "north", "EUR", 125, "Prospecting", date(2026, 3, 10), {}),
    (
        "sales-1",
        "north",
        "EUR",
        1000,
        "Prospecting",
        date(2026, 3, 31),
        {"probability": 55, "best_case_minor": 1500, "worst_case_minor": 800},
    ),
    ("sales-2", "south", "USD", 2000, "Qualification", date(2026, 4, 1), {}),
    ("sales-2", "south", "EUR", 300, "Prospecting", None, {}),
    ("sales-3", "north", "EUR", 500, "En contact", date(2026, 3, 15), {}),
    ("sales-1", "north", "EUR", 9999, "Prospecting", date(2026, 3, 1), {}),
]


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_forecast"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as running:
        created = await running.http.post("/v1/pipelines", json=SQUAD, headers=SALES)
        assert created.status_code == 201, created.text
        async with running.runtime.uow(EventContext(correlation_id="seed")) as uow:
            pipelines = [await uow.pipelines.default(), await uow.pipelines.get(created.json()["id"])]
            for owner, team, currency, amount, stage_name, close, extra in DEALS:
                pipeline = next(p for p in pipelines if any(s.name == stage_name for s in p.stages))
                deal = Deal.open(
                    pipeline=pipeline,
                    stage=next(s for s in pipeline.stages if s.name == stage_name),
                    by=owner,
                    title=f"{owner} {amount}",
                    amount_minor=amount,
                    currency=currency,
                    owner_id=owner,
                    team=team,
                    expected_close_date=close,
                    **extra,
                )
                await uow.deals.add(deal)
            await closing.win(uow, deal, by="sales-1")  # won deals are not forecast
            await uow.commit()
        yield running


async def forecast(service: RunningService, query: str = "") -> dict[str, Any]:
    response = await service.http.get(f"/v1/forecast?{query}", headers=SALES)
    assert response.status_code == 200, response.text
    return response.json()


FIGURES = ("count", "amount_minor", "weighted_minor", "best_case_minor", "worst_case_minor")


def figures(line: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(line[f] for f in ("month", "key", "currency", *FIGURES))


async def test_forecast_by_owner_with_half_even_weighting_and_an_undated_bucket(service):
    report = await forecast(service)
    assert [figures(x) for x in report["lines"]] == [
        # weighted (1250 + 55000) / 100 = 562.5 -> 562; best and worst: 125 (no case: the amount) + 1500 / 800
        ("2026-03", "sales-1", "EUR", 2, 1125, 562, 1625, 925),
        ("2026-03", "sales-3", "EUR", 1, 500, 125, 500, 500),
        ("2026-04", "sales-2", "USD", 1, 2000, 400, 2000, 2000),
        ("undated", "sales-2", "EUR", 1, 300, 30, 300, 300),
    ]
    totals = {t["currency"]: tuple(t[f] for f in FIGURES) for t in report["totals"]}
    # (1250 + 55000 + 12500 + 3000) / 100 = 717.5 -> 718, rounded once on the sum
    assert totals == {"EUR": (4, 1925, 718, 2425, 1725), "USD": (1, 2000, 400, 2000, 2000)}


async def test_forecast_filters_by_months_and_leaves_undated_deals_out_on_request(service):
    report = await forecast(service, "from=2026-04&to=2026-12&undated=false")
    assert [figures(x)[:4] for x in report["lines"]] == [("2026-04", "sales-2", "USD", 1)]
    assert (report["from_month"], report["to_month"], report["include_undated"]) == (
        "2026-04",
        "2026-12",
        False,
    )
    march = await forecast(service, "from=2026-03&to=2026-03&owner_id=sales-1")
    assert [figures(x)[:4] for x in march["lines"]] == [("2026-03", "sales-1", "EUR", 2)]
    with_undated = await forecast(service, "from=2026-04&to=2026-04&team=south")
    assert [x["month"] for x in with_undated["lines"]] == ["2026-04", "undated"]


async def test_forecast_by_team_and_by_pipeline(service):
    by_team = await forecast(service, "group_by=team&undated=false&from=2026-03&to=2026-03")
    # 125 x 10 + 1000 x 55 + 500 x 25 = 68750 -> 687.5 -> 688
    assert [figures(x) for x in by_team["lines"]] == [("2026-03", "north", "EUR", 3, 1625, 688, 2125, 1425)]
    by_pipeline = await forecast(service, "group_by=pipeline&from=2026-03&to=2026-03&undated=false")
    found = {(x["label"], x["count"], x["weighted_minor"]) for x in by_pipeline["lines"]}
    assert found == {("Default", 2, 562), ("SALES SQUAD", 1, 125)}
    squad = next(x for x in by_pipeline["lines"] if x["label"] == "SALES SQUAD")
    only_squad = await forecast(service, f"group_by=pipeline&pipeline_id={squad['key']}")
    assert [(x["month"], x["amount_minor"]) for x in only_squad["lines"]] == [("2026-03", 500)]


async def test_forecast_refuses_bad_months_and_reversed_ranges(service):
    for query in ("from=2026-13", "from=2026-05&to=2026-04", "group_by=colour", "unknown=1"):
        response = await service.http.get(f"/v1/forecast?{query}", headers=SALES)
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"


async def test_forecast_as_csv(service):
    response = await service.http.get("/v1/forecast?format=csv", headers=SALES)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="forecast.csv"'
    assert response.text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.text.removeprefix(BOM))))
    assert rows == [
        ["month", "owner", "label", "currency", *FIGURES],
        ["2026-03", "sales-1", "sales-1", "EUR", "2", "1125", "562", "1625", "925"],
        ["2026-03", "sales-3", "sales-3", "EUR", "1", "500", "125", "500", "500"],
        ["2026-04", "sales-2", "sales-2", "USD", "1", "2000", "400", "2000", "2000"],
        ["undated", "sales-2", "sales-2", "EUR", "1", "300", "30", "300", "300"],
    ]


async def test_only_readers_read_history_and_reports(service):
    async with service.runtime.engine.connect() as connection:
        deal, pipeline = (await connection.execute(select(deals.c.id, deals.c.pipeline_id).limit(1))).one()
    urls = [
        f"/v1/deals/{deal}/history",
        f"/v1/deals/{deal}/as-of?at=2100-01-01T00:00:00Z",
        "/v1/forecast",
        "/v1/forecast?format=csv",
        "/v1/reports/won-lost",
        f"/v1/reports/stage-conversion?pipeline_id={pipeline}",
        f"/v1/reports/pipeline-snapshot?pipeline_id={pipeline}&format=csv",
    ]
    for url in urls:
        refused = await service.http.get(url, headers=NOBODY)
        assert refused.status_code == 403, url
        assert refused.headers["content-type"] == "application/problem+json"
        for headers in READERS.values():
            assert (await service.http.get(url, headers=headers)).status_code == 200, url
    unknown = await service.http.get(f"/v1/deals/{uuid.uuid4()}/history", headers=SALES)
    assert unknown.status_code == 404
    extra = await service.http.get("/v1/reports/won-lost?colour=blue", headers=SALES)
    assert extra.status_code == 422
