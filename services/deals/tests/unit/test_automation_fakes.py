"""In-memory stand-ins for the deals unit of work, for the automatic rules' unit tests (no tests here)."""

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from crm_deals.adapters.directories import KnownAccount, KnownUser
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind
from crm_deals.domain.pipelines import PipelineSettings
from crm_shared.errors import Conflict, NotFound
from crm_shared.events import Envelope, EventContext, IntegrationEvent


class FakeDeals:
    def __init__(self) -> None:
        self.rows: dict[UUID, Deal] = {}
        self.events: list[object] = []

    async def get(self, deal_id: UUID, *, for_update: bool = False) -> Deal:
        if deal_id not in self.rows:
            raise NotFound("deal", deal_id)
        return self.rows[deal_id]

    async def add(self, deal: Deal) -> None:
        if deal.renewal_of_contract and await self.by_renewal(deal.renewal_of_contract, deal.renewal_start):
            raise AssertionError("uq_deals_renewal violated")
        self.rows[deal.id] = deal
        self.events += deal.pull_events()

    async def update(self, deal: Deal) -> None:
        deal.version += 1
        self.events += deal.pull_events()

    async def by_renewal(self, contract_id: UUID, start: date | None) -> Deal | None:
        found = [
            d for d in self.rows.values() if (d.renewal_of_contract, d.renewal_start) == (contract_id, start)
        ]
        return found[0] if found else None

    async def open_of_account(self, account_id: UUID, *, besides: UUID) -> list[Deal]:
        return [
            d
            for d in self.rows.values()
            if d.account_id == account_id and d.status is DealStatus.OPEN and d.id != besides
        ]

    async def referring_to(self, column: str, ids: Iterable[UUID]) -> list[Deal]:
        wanted = set(ids)
        if column == "account_id":
            return [d for d in self.rows.values() if d.account_id in wanted]
        return [d for d in self.rows.values() if d.contact_id in wanted or wanted & set(d.contact_ids)]

    def of_type(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class FakePipelines:
    def __init__(self, *pipelines: Pipeline) -> None:
        self.rows = {p.id: p for p in pipelines}

    async def get(self, pipeline_id: UUID) -> Pipeline:
        return self.rows[pipeline_id]

    async def renewals(self) -> Pipeline:
        found = [p for p in self.rows.values() if p.settings.is_renewal_pipeline and not p.archived]
        if not found:
            raise Conflict("no pipeline takes renewals: flag one in its settings", code="no_renewal_pipeline")
        return found[0]


class FakeAccounts:
    def __init__(self) -> None:
        self.rows: dict[UUID, KnownAccount] = {}

    async def get(self, account_id: UUID) -> KnownAccount | None:
        return self.rows.get(account_id)

    async def save(self, account_id: UUID, **values: Any) -> None:
        current = self.rows.get(account_id) or KnownAccount(account_id, None, None, None, "none", None)
        self.rows[account_id] = replace(current, **values)

    async def mark_merged(self, merged: Iterable[UUID], survivor: UUID) -> None:
        for account_id in merged:
            await self.save(account_id, merged_into=survivor)


class FakeUsers:
    def __init__(self, *users: KnownUser) -> None:
        self.rows = {u.id: u for u in users}

    async def get(self, user_id: str) -> KnownUser | None:
        return self.rows.get(user_id)


class FakeUow:
    def __init__(self, *pipelines: Pipeline, users: Iterable[KnownUser] = ()) -> None:
        self.deals = FakeDeals()
        self.pipelines = FakePipelines(*pipelines)
        self.accounts = FakeAccounts()
        self.users = FakeUsers(*users)


STAGES = (
    ("À contacter", 10, StageKind.OPEN),
    ("En contact", 25, StageKind.OPEN),
    ("Offer send", 50, StageKind.OPEN),
    ("Negotiation", 80, StageKind.OPEN),
    ("Won", 100, StageKind.WON),
    ("Lost", 0, StageKind.LOST),
)


def pipeline(name: str = "SALES SQUAD", **settings: Any) -> Pipeline:
    stages = tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(STAGES))
    proposal = stages[2].id if settings.pop("with_proposal", True) else None
    return Pipeline(
        id=uuid.uuid4(),
        name=name,
        currency="EUR",
        stages=stages,
        settings=PipelineSettings(proposal_stage_id=proposal, **settings),
    )


def stage(p: Pipeline, name: str) -> Stage:
    return next(s for s in p.stages if s.name == name)


async def open_deal(uow: FakeUow, p: Pipeline, *, at: str | None = None, **values: Any) -> Deal:
    fields = {"title": "Site", "amount_minor": 1000, "owner_id": "sales-1"} | values
    deal = Deal.open(pipeline=p, by="sales-1", stage=stage(p, at) if at else None, **fields)
    await uow.deals.add(deal)
    uow.deals.events.clear()
    return deal


def envelope(event: IntegrationEvent) -> Envelope:
    return Envelope.for_event(event, EventContext(correlation_id="unit"))
