"""History, state as of a date, won-lost, stage conversion and pipeline snapshot on real PostgreSQL.

Deals are driven through their aggregate in units of work at chosen instants (the domain's clock is
held still for each step), so periods, revisions and closing dates carry known times.
"""

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar
from unittest.mock import patch

import pytest

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain import model
from crm_deals.domain.model import Deal
from crm_deals.service_layer import closing
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.http.csv_cells import BOM
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class _Still(datetime):
    """The domain's clock, held at `moment` while a step runs."""

    moment: ClassVar[datetime]

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return cls.moment


Step = Callable[[DealsUnitOfWork], Awaitable[Any]]


async def run(service: RunningService, when: str, step: Step) -> Any:
    _Still.moment = at(when)
    with patch.object(model, "datetime", _Still):
        async with service.runtime.uow(EventContext(correlation_id="seed")) as uow:
            result = await step(uow)
            await uow.commit()
    return result


def opening(owner: str, amount: int, currency: str = "EUR") -> Step:
    async def step(uow: DealsUnitOfWork) -> Deal:
        values = {
            "title": f"{owner} {amount}",
            "amount_minor": amount,
            "currency": currency,
            "owner_id": owner,
        }
        deal = Deal.open(pipeline=await uow.pipelines.default(), by=owner, **values)
        await uow.deals.add(deal)
        return deal

    return step


def moving(deal: Deal, stage_name: str) -> Step:
    async def step(uow: DealsUnitOfWork) -> None:
        pipeline, current = await uow.pipelines.default(), await uow.deals.get(deal.id, for_update=True)
        stage = next(s for s in pipeline.stages if s.name == stage_name)
        current.move(pipeline=pipeline, stage=stage, by=current.owner_id)
        await uow.deals.update(current)

    return step


def changing(deal: Deal, **changes: Any) -> Step:
    async def step(uow: DealsUnitOfWork) -> None:
        current = await uow.deals.get(deal.id, for_update=True)
        current.update(changes, by=current.owner_id)
        await uow.deals.update(current)

    return step


def closing_as(deal: Deal, reason: str | None = None) -> Step:
    async def step(uow: DealsUnitOfWork) -> None:
        current = await uow.deals.get(deal.id, for_update=True)
        if reason is None:
            await closing.win(uow, current, by="sales-1")
        else:
            await closing.lose(uow, current, reason=reason, by="sales-1")

    return step


@pytest.fixture(scope="module")
async def seeded(
    kafka_bootstrap: str, make_database
) -> AsyncIterator[tuple[RunningService, dict[str, Deal]]]:
    settings = Settings(
        database_url=make_database("deals_reports"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as service:
        d1 = await run(service, "2025-01-06T09:00", opening("sales-1", 1000))
        d2 = await run(service, "2025-01-06T10:00", opening("sales-1", 500))
        await run(service, "2025-01-07T09:00", moving(d1, "Qualification"))
        d3 = await run(service, "2025-01-07T10:00", opening("sales-2", 700, "USD"))
        d4 = await run(service, "2025-01-08T10:00", opening("sales-2", 400))
        await run(service, "2025-01-08T10:00", moving(d2, "Qualification"))
        await run(service, "2025-01-09T09:00", moving(d1, "Proposal"))
        await run(service, "2025-01-10T09:00", changing(d1, amount_minor=1200))
        await run(service, "2025-01-13T09:00", closing_as(d1))
        # back and forth: entering a stage again is not moving on from it
        d6 = await run(service, "2025-01-14T10:00", opening("sales-2", 100))
        for day, stage in ((15, "Qualification"), (16, "Prospecting"), (17, "Qualification")):
            await run(service, f"2025-01-{day}T10:00", moving(d6, stage))
        await run(service, "2025-01-20T10:00", closing_as(d3, reason="=timing"))
        await run(service, "2025-02-03T10:00", closing_as(d2, reason="budget"))
        d5 = await run(service, "2025-03-03T10:00", opening("sales-1", 300))
        await run(service, "2025-04-01T10:00", closing_as(d5))
        yield service, {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5}


async def get(service: RunningService, url: str, headers: dict[str, str] = SALES) -> Any:
    response = await service.http.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_history_gives_each_stay_and_each_revision(seeded):
    service, deals = seeded
    history = await get(service, f"/v1/deals/{deals['d1'].id}/history")
    periods = history["periods"]
    assert [(p["stage_name"], p["seconds"]) for p in periods[:3]] == [
        ("Prospecting", 86400),
        ("Qualification", 172800),
        ("Proposal", 345600),
    ]
    won = periods[3]
    assert (won["stage_kind"], won["left_at"], won["entered_by"]) == ("won", None, "sales-1")
    assert won["seconds"] >= (datetime.now(UTC) - at("2025-01-13T09:00")).total_seconds() - 5
    assert [(t["stage_name"], t["visits"]) for t in history["time_in_stages"]][:3] == [
        ("Prospecting", 1),
        ("Qualification", 1),
        ("Proposal", 1),
    ]
    revisions = history["revisions"]
    assert [r["version"] for r in revisions] == [1, 2, 3, 4, 5]
    assert revisions[0]["changed"] == {}
    assert revisions[3] | {"at": at(revisions[3]["at"][:19])} == {
        "version": 4,
        "at": at("2025-01-10T09:00"),
        "by": "sales-1",
        "changed": {"amount_minor": [1000, 1200]},
    }
    assert revisions[4]["changed"]["status"] == ["open", "won"]


async def test_as_of_gives_the_latest_revision_at_the_instant(seeded):
    service, deals = seeded
    url = f"/v1/deals/{deals['d1'].id}/as-of"
    before_change = await get(service, f"{url}?at=2025-01-09T12:00:00Z")
    assert before_change["version"] == 3
    assert before_change["deal"]["amount_minor"] == 1000
    assert before_change["deal"]["status"] == "open"
    exactly = await get(service, f"{url}?at=2025-01-10T10:00:00%2B01:00")  # 09:00 UTC, the change itself
    assert (exactly["version"], exactly["deal"]["amount_minor"]) == (4, 1200)
    missing = await service.http.get(f"{url}?at=2025-01-06T08:59:59Z", headers=SALES)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    naive = await service.http.get(f"{url}?at=2025-01-09T12:00:00", headers=SALES)
    assert naive.status_code == 422


async def test_won_lost_by_month_and_owner_over_whole_periods(seeded):
    service, _ = seeded
    report = await get(
        service, "/v1/reports/won-lost?period=month&group_by=owner&from=2025-01-15&to=2025-02-10"
    )
    assert (report["start"], report["end"]) == ("2025-01-01", "2025-03-01")
    names = ("period", "key", "currency", "won_count", "won_amount_minor", "lost_count", "lost_amount_minor")
    lines = [(*(x[n] for n in names), x["win_rate"]) for x in report["lines"]]
    assert lines == [
        ("2025-01", "sales-1", "EUR", 1, 1200, 0, 0, 1.0),
        ("2025-01", "sales-2", "USD", 0, 0, 1, 700, 0.0),
        ("2025-02", "sales-1", "EUR", 0, 0, 1, 500, 0.0),
    ]


async def test_won_lost_by_quarter_and_reason_and_by_week(seeded):
    service, _ = seeded
    report = await get(service, "/v1/reports/won-lost?period=quarter&group_by=reason")
    found = {
        (x["period"], x["key"], x["currency"]): (x["won_count"], x["lost_amount_minor"])
        for x in report["lines"]
    }
    assert found == {
        ("2025-Q1", "budget", "EUR"): (0, 500),
        ("2025-Q1", "=timing", "USD"): (0, 700),
        ("2025-Q1", None, "EUR"): (1, 0),
        ("2025-Q2", None, "EUR"): (1, 0),
    }
    weekly = await get(service, "/v1/reports/won-lost?period=week&from=2025-01-13&to=2025-01-13")
    assert [(x["period"], x["period_start"], x["won_amount_minor"]) for x in weekly["lines"]] == [
        ("2025-W03", "2025-01-13", 1200)
    ]
    by_pipeline = await get(service, "/v1/reports/won-lost?group_by=pipeline&from=2025-04-01&to=2025-04-01")
    assert [(x["label"], x["won_count"]) for x in by_pipeline["lines"]] == [("Default", 1)]


async def default_pipeline(service: RunningService) -> dict:
    pipelines = await get(service, "/v1/pipelines")
    return next(p for p in pipelines if p["is_default"])


async def test_stage_conversion_over_january(seeded):
    service, _ = seeded
    pipeline = await default_pipeline(service)
    report = await get(
        service, f"/v1/reports/stage-conversion?pipeline_id={pipeline['id']}&from=2025-01-01&to=2025-01-31"
    )
    names = ("name", "entered", "converted", "conversion_rate", "left", "still_in_stage", "average_seconds")
    rows = [tuple(s[n] for n in names) for s in report["stages"]]
    assert rows == [
        ("Prospecting", 5, 3, 0.6, 5, 1, 311040),
        ("Qualification", 3, 1, 0.3333, 3, 1, 835200),
        ("Proposal", 1, 1, 1.0, 1, 0, 345600),
        ("Negotiation", 0, 0, None, 0, 0, None),
        ("Won", 1, None, None, 0, 1, None),
        ("Lost", 1, None, None, 0, 1, None),
    ]


async def snapshot(service: RunningService, instant: str, fmt: str = "json") -> Any:
    pipeline = await default_pipeline(service)
    url = f"/v1/reports/pipeline-snapshot?pipeline_id={pipeline['id']}&at={instant}&format={fmt}"
    if fmt == "csv":
        response = await service.http.get(url, headers=SALES)
        assert response.status_code == 200, response.text
        return response
    report = await get(service, url)
    amounts = {
        s["name"]: [(a["currency"], a["amount_minor"], a["weighted_minor"]) for a in s["amounts"]]
        for s in report["stages"]
    }
    return {s["name"]: (s["count"], amounts[s["name"]]) for s in report["stages"]}


async def test_pipeline_snapshot_uses_the_periods_and_amounts_of_the_instant(seeded):
    service, _ = seeded
    assert await snapshot(service, "2025-01-09T12:00:00Z") == {
        "Prospecting": (2, [("EUR", 400, 40), ("USD", 700, 70)]),
        "Qualification": (1, [("EUR", 500, 100)]),
        "Proposal": (1, [("EUR", 1000, 500)]),  # 1200 only from the 10th
        "Negotiation": (0, []),
        "Won": (0, []),
        "Lost": (0, []),
    }
    # a deal that enters a stage at the instant stands in it: D1 has just reached Qualification
    edge = await snapshot(service, "2025-01-07T09:00:00Z")
    assert (edge["Prospecting"], edge["Qualification"]) == (
        (1, [("EUR", 500, 50)]),
        (1, [("EUR", 1000, 200)]),
    )


async def test_reports_and_the_forecast_come_as_csv(seeded):
    service, _ = seeded
    response = await snapshot(service, "2025-01-09T12:00:00Z", fmt="csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.text.removeprefix(BOM))))
    assert ",".join(rows[0]) == "stage_id,stage,kind,position,currency,count,amount_minor,weighted_minor"
    assert [r[1:] for r in rows[1:4]] == [
        ["Prospecting", "open", "0", "EUR", "1", "400", "40"],
        ["Prospecting", "open", "0", "USD", "1", "700", "70"],
        ["Qualification", "open", "1", "EUR", "1", "500", "100"],
    ]
    won_lost = await service.http.get(
        "/v1/reports/won-lost?period=quarter&group_by=reason&format=csv", headers=SALES
    )
    assert "'=timing" in won_lost.text  # neutralised: never a formula
    assert won_lost.text.startswith(BOM + "period,period_start,reason,label,currency,won_count")
    pipeline = await default_pipeline(service)
    for url in (
        f"/v1/reports/stage-conversion?pipeline_id={pipeline['id']}&format=csv",
        "/v1/forecast?group_by=team&format=csv",
    ):
        exported = await service.http.get(url, headers=SALES)
        assert exported.status_code == 200
        assert exported.text.startswith(BOM)
