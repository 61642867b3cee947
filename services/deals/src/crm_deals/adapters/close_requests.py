"""Close requests and their signed offers (bytea), written together in the request's transaction."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, select
from sqlalchemy.exc import IntegrityError

from crm_deals.adapters.tables import close_requests, deals, signed_offers
from crm_deals.domain.close_requests import (
    CloseOutcome,
    CloseRequest,
    CloseRequestStatus,
    OfferInfo,
    SignedOffer,
)
from crm_deals.domain.model import DealStatus
from crm_shared.db.repository import TableRepository
from crm_shared.errors import Conflict, NotFound

PENDING_INDEX = "uq_close_requests_pending"
_OFFER_INFO = (
    signed_offers.c.filename,
    signed_offers.c.content_type,
    signed_offers.c.size,
    signed_offers.c.sha256,
)
_DEAL_BRIEF = (
    deals.c.title.label("deal_title"),
    deals.c.amount_minor.label("deal_amount_minor"),
    deals.c.currency.label("deal_currency"),
    deals.c.status.label("deal_status"),
    deals.c.owner_id.label("deal_owner_id"),
)


@dataclass(frozen=True)
class DealBrief:
    """What a reader of a close request sees of its deal, to compare the amounts."""

    title: str
    amount_minor: int
    currency: str
    status: DealStatus
    owner_id: str


@dataclass(frozen=True)
class ListedRequest:
    request: CloseRequest
    offer: OfferInfo | None
    deal: DealBrief

    @property
    def id(self) -> UUID:
        return self.request.id

    @property
    def amount_matches(self) -> bool:
        return self.request.matches(self.deal.amount_minor, self.deal.currency)


class CloseRequestRepository(TableRepository[CloseRequest]):
    table, kind = close_requests, CloseRequest

    def from_row(self, row: Row[Any]) -> CloseRequest:
        values = {c.name: row._mapping[c.name] for c in close_requests.columns}
        return CloseRequest(
            **values
            | {
                "outcome": CloseOutcome(values["outcome"]),
                "status": CloseRequestStatus(values["status"]),
            }
        )

    async def add_with_offer(self, request: CloseRequest, offer: SignedOffer) -> None:
        """The request and its file in one go; a second pending request of the deal is a conflict."""
        try:
            async with self._connection.begin_nested():
                await self.add(request)
        except IntegrityError as exc:
            if PENDING_INDEX in str(exc.orig):
                raise Conflict(
                    f"deal {request.deal_id} already has a pending close request", "close_request_pending"
                ) from exc
            raise
        await self._connection.execute(
            signed_offers.insert().values(
                request_id=request.id,
                filename=offer.filename,
                content_type=offer.content_type,
                size=offer.size,
                sha256=offer.sha256,
                content=offer.content,
            )
        )

    async def pending_of(self, deal_id: UUID) -> CloseRequest | None:
        found = await self.find(
            select(close_requests).where(
                close_requests.c.deal_id == deal_id, close_requests.c.status == CloseRequestStatus.PENDING
            )
        )
        return found[0] if found else None

    async def offer(self, request_id: UUID) -> SignedOffer:
        query = select(signed_offers).where(signed_offers.c.request_id == request_id)
        row = (await self._connection.execute(query)).first()
        if row is None:
            raise NotFound("signed offer of close request", request_id)
        return SignedOffer(
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            content=bytes(row.content),
        )

    async def listed(self, request_id: UUID) -> ListedRequest:
        found = await self._listed(_listing().where(close_requests.c.id == request_id))
        if not found:
            raise NotFound("close request", request_id)
        return found[0]

    async def listing(
        self,
        *,
        equal: Mapping[str, object],
        after: UUID | None,
        limit: int,
        oldest_first: bool = False,
    ) -> list[ListedRequest]:
        """A page by time-ordered id (newest or oldest first); filters whose value is None are ignored."""
        query = _listing()
        for column, value in equal.items():
            if value is not None:
                query = query.where(close_requests.c[column] == value)
        key = close_requests.c.id
        if after is not None:
            query = query.where(key > after if oldest_first else key < after)
        return await self._listed(query.order_by(key if oldest_first else key.desc()).limit(limit))

    async def _listed(self, query: Select[Any]) -> list[ListedRequest]:
        return [_listed(row, self.from_row(row)) for row in await self._connection.execute(query)]


def _listing() -> Select[Any]:
    return (
        select(close_requests, *_OFFER_INFO, *_DEAL_BRIEF)
        .join(deals, deals.c.id == close_requests.c.deal_id)
        .outerjoin(signed_offers, signed_offers.c.request_id == close_requests.c.id)
    )


def _listed(row: Row[Any], request: CloseRequest) -> ListedRequest:
    offer = (
        None
        if row.filename is None
        else OfferInfo(filename=row.filename, content_type=row.content_type, size=row.size, sha256=row.sha256)
    )
    deal = DealBrief(
        title=row.deal_title,
        amount_minor=row.deal_amount_minor,
        currency=row.deal_currency,
        status=DealStatus(row.deal_status),
        owner_id=row.deal_owner_id,
    )
    return ListedRequest(request=request, offer=offer, deal=deal)
