"""The deals unit of work in memory, for handler unit tests, and what those tests build on it.

`FakeDealsUnitOfWork` has the real one's repositories under the same names (see `fake_repositories`),
the same hooks (callers remembered before each command, stage history projected at each commit) and
the service's own translator: `outbox` is what a commit would publish. Commands run through the real
`Bus` (`bus`), events through the consumer's steps (`deliver`). Lists, boards and reports are SQL
queries, tested on the real database in `tests/integration`; they have no fake.
"""

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from crm_deals.adapters.directories import KnownUser
from crm_deals.domain.model import Deal, Pipeline, Stage, StageKind
from crm_deals.domain.pipelines import PipelineSettings
from crm_deals.entrypoints.consumers import HANDLERS
from crm_deals.service_layer.callers import remember
from crm_deals.service_layer.integration_events import translate
from crm_shared.auth import Principal, Role
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.service_layer import Bus
from crm_shared.testing.fakes import FakeUnitOfWork, bus_on
from crm_shared.testing.fakes import deliver as deliver_event
from services.deals.tests.unit.fake_repositories import (
    FakeAccounts,
    FakeCloseRequests,
    FakeDeals,
    FakePipelines,
    FakeStagePeriods,
    FakeUsers,
    stored,
)

E = TypeVar("E")
CONSUMER = "crm-deals"


class FakeDealsUnitOfWork(FakeUnitOfWork):
    def __init__(self, *pipelines: Pipeline, users: Iterable[KnownUser] = ()) -> None:
        super().__init__(translate=translate)
        self.deals = FakeDeals(self.track)
        self.pipelines = FakePipelines(*pipelines)
        self.stage_periods = FakeStagePeriods()
        self.accounts = FakeAccounts()
        self.users = FakeUsers(*users)
        self.close_requests = FakeCloseRequests(self.track, self.deals)

    async def enter_command(self, actor: Principal) -> None:
        await remember(self.users, actor)  # type: ignore[arg-type]

    async def project(self, domain_events: list[object]) -> None:
        await self.stage_periods.record(domain_events)

    def raised(self, kind: type[E]) -> list[E]:
        """The committed domain events of one type."""
        return [e for e in self.domain_events if isinstance(e, kind)]

    def deal(self, deal_id: uuid.UUID) -> Deal:
        """The deal as last saved."""
        return self.deals.rows[deal_id]


def principal(user_id: str, *roles: Role, team: str | None = None) -> Principal:
    return Principal(user_id=user_id, roles=frozenset(roles), team=team)


SALES = principal("sales-1", Role.SALES, team="squad-a")
CSM = principal("csm-1", Role.CSM, team="csm")
SUPPORT = principal("support-1", Role.SUPPORT)


def bus(uow: FakeDealsUnitOfWork, actor: Principal) -> Bus[Any]:
    """The bus an HTTP route gets: the caller remembered, the use case run, one commit."""
    return bus_on(uow, actor)


def envelope(event: IntegrationEvent) -> Envelope:
    return Envelope.for_event(event, EventContext(correlation_id="unit"))


async def deliver(uow: FakeDealsUnitOfWork, event: IntegrationEvent, sent: Envelope | None = None) -> bool:
    """As the consumer applies an event: its handler, once per envelope, then one commit."""
    return await deliver_event(uow, event, handlers=HANDLERS, consumer=CONSUMER, envelope=sent) is not None


STAGES = (
    ("À contacter", 10, StageKind.OPEN),
    ("En contact", 25, StageKind.OPEN),
    ("Offer send", 50, StageKind.OPEN),
    ("Negotiation", 80, StageKind.OPEN),
    ("Won", 100, StageKind.WON),
    ("Lost", 0, StageKind.LOST),
)


def pipeline(name: str = "SALES SQUAD", *, default: bool = False, **settings: Any) -> Pipeline:
    """Six stages (four open); "Offer send" is the proposal stage unless `with_proposal=False`."""
    stages = tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(STAGES))
    proposal = stages[2].id if settings.pop("with_proposal", True) else None
    return Pipeline(
        id=uuid.uuid4(),
        name=name,
        currency="EUR",
        stages=stages,
        is_default=default,
        settings=PipelineSettings(proposal_stage_id=proposal, **settings),
    )


def stage(p: Pipeline, name: str) -> Stage:
    return next(s for s in p.stages if s.name == name)


def seed_deal(uow: FakeDealsUnitOfWork, p: Pipeline, *, at: str | None = None, **values: Any) -> Deal:
    """A deal already saved (nothing left to publish); its stored row is `uow.deal(deal.id)`."""
    fields = {"title": "Site", "amount_minor": 1000, "owner_id": "sales-1"} | values
    deal = Deal.open(pipeline=p, by="sales-1", stage=stage(p, at) if at else None, **fields)
    uow.deals.rows[deal.id] = stored(deal)
    return uow.deal(deal.id)


def seed_closed(uow: FakeDealsUnitOfWork, p: Pipeline, *, won: bool, **values: Any) -> Deal:
    deal = seed_deal(uow, p, **values)
    if won:
        deal.win(pipeline=p, by="sales-1")
    else:
        deal.lose(pipeline=p, reason="budget", by="sales-1")
    deal.pull_events()
    return deal
