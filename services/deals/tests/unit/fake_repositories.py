"""In-memory repositories of the deals unit of work, with the real ones' method names and contracts.

Reads hand out copies, as rows would: a use case that changes a deal without saving it changes nothing.
Writes check the version that was read (412 otherwise), keep a copy and track the aggregate, so the
unit of work's commit translates its events. Unique keys the database enforces fail loudly here.
"""

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any, Generic, TypeVar
from uuid import UUID

from crm_deals.adapters.close_requests import DealBrief, ListedRequest
from crm_deals.adapters.directories import KnownAccount, KnownUser
from crm_deals.adapters.stage_history import stage_entry
from crm_deals.domain.close_requests import CloseRequest, CloseRequestStatus, OfferInfo, SignedOffer
from crm_deals.domain.model import Deal, DealStatus, Pipeline
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict, NotFound, PreconditionFailed
from crm_shared.text_keys import casefold_key

A = TypeVar("A", bound=Aggregate)
Track = Callable[[Aggregate], None]


def stored(aggregate: A) -> A:
    """A copy as a row holds it: the state, none of the events still to publish."""
    kept = copy.deepcopy(aggregate)
    kept.pull_events()
    return kept


class FakeTable(Generic[A]):
    """As `TableRepository`: get, add, optimistic update, tracking for the commit."""

    kind = "aggregate"

    def __init__(self, track: Track) -> None:
        self.rows: dict[UUID, A] = {}
        self._track = track

    async def get(self, ident: UUID, *, for_update: bool = False) -> A:
        if ident not in self.rows:
            raise NotFound(self.kind, ident)
        return stored(self.rows[ident])

    async def add(self, aggregate: A) -> None:
        assert aggregate.id not in self.rows, f"primary key {aggregate.id} taken"
        self.rows[aggregate.id] = stored(aggregate)
        self._track(aggregate)

    async def update(self, aggregate: A) -> None:
        ident = aggregate.id
        if ident not in self.rows or self.rows[ident].version != aggregate.version:
            raise PreconditionFailed(f"{self.kind} {ident} was changed meanwhile")
        aggregate.version += 1
        self.rows[ident] = stored(aggregate)
        self._track(aggregate)

    def where(self, test: Callable[[A], bool]) -> list[A]:
        return [stored(row) for _, row in sorted(self.rows.items()) if test(row)]


class FakeDeals(FakeTable[Deal]):
    kind = "deal"

    async def add(self, aggregate: Deal) -> None:
        if aggregate.lead_id is not None:
            assert await self.by_lead(aggregate.lead_id) is None, "uq_deals_lead_id violated"
        if aggregate.renewal_of_contract is not None and aggregate.renewal_start is not None:
            taken = await self.by_renewal(aggregate.renewal_of_contract, aggregate.renewal_start)
            assert taken is None, "uq_deals_renewal violated"
        await super().add(aggregate)

    async def by_lead(self, lead_id: UUID) -> Deal | None:
        return next(iter(self.where(lambda d: d.lead_id == lead_id)), None)

    async def by_renewal(self, contract_id: UUID, start: date) -> Deal | None:
        found = self.where(lambda d: (d.renewal_of_contract, d.renewal_start) == (contract_id, start))
        return next(iter(found), None)

    async def count_in_stage(self, stage_id: UUID) -> int:
        return len(self.where(lambda d: d.stage_id == stage_id))

    async def last_rank(self, stage_id: UUID, *, besides: UUID | None = None) -> float | None:
        ranks = [d.rank for d in self.rows.values() if d.stage_id == stage_id and d.id != besides]
        return max(ranks, default=None)

    async def in_stage(self, stage_id: UUID, *, for_update: bool = False) -> list[Deal]:
        return sorted(self.where(lambda d: d.stage_id == stage_id), key=lambda d: (d.rank, d.id))

    async def open_of_account(self, account_id: UUID, *, besides: UUID) -> list[Deal]:
        return self.where(
            lambda d: d.account_id == account_id and d.status is DealStatus.OPEN and d.id != besides
        )

    async def referring_to(self, column: str, ids: Iterable[UUID]) -> list[Deal]:
        wanted = set(ids)
        if column == "account_id":
            return self.where(lambda d: d.account_id in wanted)
        return self.where(lambda d: d.contact_id in wanted or bool(wanted & set(d.contact_ids)))


class FakePipelines:
    """Pipelines are not tracked (they publish nothing); listed by name, as the real ones are."""

    def __init__(self, *pipelines: Pipeline) -> None:
        self.rows = {p.id: stored(p) for p in pipelines}

    async def get(self, pipeline_id: UUID, *, for_update: bool = False) -> Pipeline:
        if pipeline_id not in self.rows:
            raise NotFound("pipeline", pipeline_id)
        return stored(self.rows[pipeline_id])

    async def default(self) -> Pipeline:
        found = self._where(lambda p: p.is_default)
        if not found:
            raise NotFound("pipeline", "default")
        return found[0]

    async def cold_leads(self) -> Pipeline:
        found = self._where(lambda p: p.settings.is_cold_leads_pipeline and not p.archived)
        if not found:
            raise Conflict(
                "no pipeline takes cold leads: flag one in its settings", code="no_cold_leads_pipeline"
            )
        return found[0]

    async def renewals(self) -> Pipeline:
        found = self._where(lambda p: p.settings.is_renewal_pipeline and not p.archived)
        if not found:
            raise Conflict("no pipeline takes renewals: flag one in its settings", code="no_renewal_pipeline")
        return found[0]

    async def all(self, *, include_archived: bool = False) -> list[Pipeline]:
        return self._where(lambda p: include_archived or not p.archived)

    async def name_taken(self, name: str, *, besides: UUID | None = None) -> bool:
        return bool(self._where(lambda p: casefold_key(p.name) == casefold_key(name) and p.id != besides))

    async def add(self, pipeline: Pipeline) -> None:
        self.rows[pipeline.id] = stored(pipeline)

    async def update(self, pipeline: Pipeline) -> None:
        if self.rows[pipeline.id].version != pipeline.version:
            raise PreconditionFailed(f"Pipeline {pipeline.id} was changed meanwhile")
        pipeline.version += 1
        self.rows[pipeline.id] = stored(pipeline)

    def _where(self, test: Callable[[Pipeline], bool]) -> list[Pipeline]:
        return sorted((stored(p) for p in self.rows.values() if test(p)), key=lambda p: p.name)


class FakeAccounts:
    def __init__(self) -> None:
        self.rows: dict[UUID, KnownAccount] = {}

    async def get(self, account_id: UUID) -> KnownAccount | None:
        return self.rows.get(account_id)

    async def save(self, account_id: UUID, **values: Any) -> None:
        """Upsert of the given columns only, as events arriving in any order need."""
        current = self.rows.get(account_id) or KnownAccount(account_id, None, None, None, "none", None)
        self.rows[account_id] = replace(current, **values)

    async def mark_merged(self, merged: Iterable[UUID], survivor: UUID) -> None:
        for account_id in merged:
            await self.save(account_id, merged_into=survivor)


class FakeUsers:
    def __init__(self, *users: KnownUser) -> None:
        self.rows = {u.id: u for u in users}
        self.saves = 0

    async def get(self, user_id: str) -> KnownUser | None:
        return self.rows.get(user_id)

    async def all(self) -> list[KnownUser]:
        return [self.rows[k] for k in sorted(self.rows)]

    async def save(self, user: KnownUser) -> None:
        self.rows[user.id] = user
        self.saves += 1

    async def deactivate(self, user_id: str) -> None:
        if user_id in self.rows:
            self.rows[user_id] = replace(self.rows[user_id], active=False)


class FakeStagePeriods:
    """Written from a commit's domain events by the unit of work's `project`, as the real history."""

    def __init__(self) -> None:
        self.rows: list[SimpleNamespace] = []

    async def record(self, domain_events: Iterable[object]) -> None:
        for event in domain_events:
            entry = stage_entry(event)
            if entry is None:
                continue
            deal_id, pipeline_id, (stage_id, name, kind), at, by = entry
            for period in self.rows:
                if period.deal_id == deal_id and period.left_at is None:
                    period.left_at = at
            self.rows.append(
                SimpleNamespace(
                    deal_id=deal_id, pipeline_id=pipeline_id, stage_id=stage_id, stage_name=name,
                    stage_kind=kind, entered_at=at, entered_by=by, left_at=None,
                )
            )  # fmt: skip

    async def of_deal(self, deal_id: UUID) -> list[SimpleNamespace]:
        return [p for p in self.rows if p.deal_id == deal_id]


class FakeCloseRequests(FakeTable[CloseRequest]):
    kind = "closerequest"

    def __init__(self, track: Track, deals: FakeDeals) -> None:
        super().__init__(track)
        self.offers: dict[UUID, SignedOffer] = {}
        self._deals = deals

    async def add_with_offer(self, request: CloseRequest, offer: SignedOffer) -> None:
        if await self.pending_of(request.deal_id) is not None:  # the partial unique index
            raise Conflict(
                f"deal {request.deal_id} already has a pending close request", "close_request_pending"
            )
        await self.add(request)
        self.offers[request.id] = offer

    async def pending_of(self, deal_id: UUID) -> CloseRequest | None:
        pending = CloseRequestStatus.PENDING
        return next(iter(self.where(lambda r: r.deal_id == deal_id and r.status is pending)), None)

    async def offer(self, request_id: UUID) -> SignedOffer:
        if request_id not in self.offers:
            raise NotFound("signed offer of close request", request_id)
        return self.offers[request_id]

    async def listed(self, request_id: UUID) -> ListedRequest:
        return self._listed(await self.get(request_id))

    async def listing(
        self, *, equal: Mapping[str, object], after: UUID | None, limit: int, oldest_first: bool = False
    ) -> list[ListedRequest]:
        def matches(r: CloseRequest) -> bool:
            kept = all(v is None or getattr(r, k) == v for k, v in equal.items())
            return kept and (after is None or (r.id > after if oldest_first else r.id < after))

        found = self.where(matches)
        return [self._listed(r) for r in (found if oldest_first else found[::-1])[:limit]]

    def _listed(self, request: CloseRequest) -> ListedRequest:
        deal, offer = self._deals.rows[request.deal_id], self.offers.get(request.id)
        info = (
            None if offer is None else OfferInfo(offer.filename, offer.content_type, offer.size, offer.sha256)
        )
        brief = DealBrief(deal.title, deal.amount_minor, deal.currency, deal.status, deal.owner_id)
        return ListedRequest(request=request, offer=info, deal=brief)
