"""The quotes unit of work in memory, for handler unit tests, and what those tests build on it.

`FakeQuotesUnitOfWork` has the real one's repository under the same name and the service's own
translator: `outbox` is what a commit would publish. The fake repository keeps the real one's
contract: copies on read, tracked writes, one contract per deal (the unique index), newest first.
Queries run as the bus runs them (`bus`), events through the consumer's steps (`deliver`).
"""

import copy
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from crm_quotes.domain.model import Contract
from crm_quotes.entrypoints.consumers import HANDLERS
from crm_quotes.service_layer.integration_events import translate
from crm_shared.auth import Principal, Role
from crm_shared.domain import Aggregate
from crm_shared.errors import NotFound
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.events.deals import DealWon
from crm_shared.service_layer import Bus
from crm_shared.testing.fakes import FakeUnitOfWork, bus_on
from crm_shared.testing.fakes import deliver as deliver_event

CONSUMER = "crm-quotes"


class FakeContracts:
    def __init__(self, track: Any) -> None:
        self.rows: dict[UUID, Contract] = {}
        self._track = track

    async def get(self, ident: UUID, *, for_update: bool = False) -> Contract:
        if ident not in self.rows:
            raise NotFound("contract", ident)
        return _stored(self.rows[ident])

    async def add(self, contract: Contract) -> None:
        assert contract.id not in self.rows, f"primary key {contract.id} taken"
        assert await self.by_deal(contract.deal_id) is None, "uq_contracts_deal_id violated"
        self.rows[contract.id] = _stored(contract)
        self._track(contract)

    async def by_deal(self, deal_id: UUID) -> Contract | None:
        return next((_stored(c) for c in self.rows.values() if c.deal_id == deal_id), None)

    async def list(
        self,
        *,
        deal_id: UUID | None,
        account_id: UUID | None,
        owner_id: str | None,
        after: UUID | None,
        limit: int,
    ) -> list[Contract]:
        """Newest first by time-ordered id, after the cursor; a filter of None is not applied."""
        equal = {"deal_id": deal_id, "account_id": account_id, "owner_id": owner_id}
        found = [
            _stored(c)
            for ident, c in sorted(self.rows.items(), reverse=True)
            if all(v is None or getattr(c, k) == v for k, v in equal.items())
            and (after is None or ident < after)
        ]
        return found[:limit]


def _stored(aggregate: Aggregate) -> Any:
    kept = copy.deepcopy(aggregate)
    kept.pull_events()
    return kept


class FakeQuotesUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__(translate=translate)
        self.contracts = FakeContracts(self.track)


def principal(user_id: str, *roles: Role) -> Principal:
    return Principal(user_id=user_id, roles=frozenset(roles))


def bus(uow: FakeQuotesUnitOfWork, actor: Principal) -> Bus[Any]:
    """The bus an HTTP route gets: its queries read in the unit of work, which is never committed."""
    return bus_on(uow, actor)


def envelope(event: IntegrationEvent) -> Envelope:
    return Envelope.for_event(event, EventContext(correlation_id="unit"))


async def deliver(uow: FakeQuotesUnitOfWork, event: IntegrationEvent, sent: Envelope | None = None) -> bool:
    """As the consumer applies an event: its handler, once per envelope, then one commit."""
    return await deliver_event(uow, event, handlers=HANDLERS, consumer=CONSUMER, envelope=sent) is not None


def deal_won(deal_id: UUID | None = None, **overrides: Any) -> DealWon:
    values: dict[str, Any] = {
        "deal_id": deal_id or uuid4(),
        "title": "Analytical engine",
        "amount_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "account_id": uuid4(),
        "csm_id": "csm-1",
        "from_stage": uuid4(),
        "to_stage": uuid4(),
        "won_at": datetime(2024, 2, 29, 12, tzinfo=UTC),
        "won_by": "sales-1",
    }
    return DealWon(**values | overrides)
