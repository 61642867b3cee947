"""Deals. A deal is won or lost only from an open stage, once. Pipelines live in `pipelines`."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from crm_deals.domain import events
from crm_deals.domain.pipelines import Pipeline, Stage, StageKind
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.ids import new_id

__all__ = ["DEFAULT_STAGES", "Deal", "DealStatus", "Pipeline", "Stage", "StageKind"]


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


DEFAULT_STAGES = (
    ("Prospecting", 10, StageKind.OPEN),
    ("Qualification", 20, StageKind.OPEN),
    ("Proposal", 50, StageKind.OPEN),
    ("Negotiation", 80, StageKind.OPEN),
    ("Won", 100, StageKind.WON),
    ("Lost", 0, StageKind.LOST),
)


@dataclass(eq=False, kw_only=True)
class Deal(Aggregate):
    id: UUID
    title: str
    amount_minor: int
    currency: str
    pipeline_id: UUID
    stage_id: UUID
    probability: int
    status: DealStatus = DealStatus.OPEN
    owner_id: str
    account_id: UUID | None = None
    contact_id: UUID | None = None
    lead_id: UUID | None = None
    lost_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None

    @classmethod
    def open(
        cls,
        *,
        pipeline: Pipeline,
        title: str,
        amount_minor: int,
        currency: str,
        owner_id: str,
        account_id: UUID | None = None,
        contact_id: UUID | None = None,
        lead_id: UUID | None = None,
    ) -> "Deal":
        if amount_minor < 0:
            raise InvalidInput("amount_minor", "an amount cannot be negative")
        stage = pipeline.first_open_stage
        now = datetime.now(UTC)
        deal = cls(
            id=new_id(),
            title=title,
            amount_minor=amount_minor,
            currency=currency,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            probability=stage.probability,
            owner_id=owner_id,
            account_id=account_id,
            contact_id=contact_id,
            lead_id=lead_id,
            created_at=now,
            updated_at=now,
        )
        deal.record(
            events.DealCreated(
                deal.id,
                title,
                amount_minor,
                currency,
                pipeline.id,
                stage.id,
                owner_id,
                account_id,
                contact_id,
                lead_id,
            )
        )
        return deal

    def win(self, *, pipeline: Pipeline, by: str) -> None:
        from_stage = self._close(pipeline.stage_of_kind(StageKind.WON), DealStatus.WON)
        self.record(
            events.DealWon(
                self.id,
                self.title,
                self.amount_minor,
                self.currency,
                self.owner_id,
                self.account_id,
                from_stage,
                self.stage_id,
                self.updated_at,
                by,
                contact_id=self.contact_id,
            )
        )

    def lose(self, *, pipeline: Pipeline, reason: str, by: str) -> None:
        if not reason.strip():
            raise InvalidInput("reason", "a lost deal needs a reason")
        from_stage = self._close(pipeline.stage_of_kind(StageKind.LOST), DealStatus.LOST)
        self.lost_reason = reason
        self.record(
            events.DealLost(
                self.id,
                self.title,
                self.owner_id,
                self.account_id,
                from_stage,
                self.stage_id,
                reason,
                self.updated_at,
                by,
                contact_id=self.contact_id,
            )
        )

    def _close(self, stage: Stage, status: DealStatus) -> UUID:
        if self.status is not DealStatus.OPEN:
            raise Conflict(f"deal {self.id} is already {self.status}", code="deal_closed")
        from_stage = self.stage_id
        self.stage_id, self.probability, self.status = stage.id, stage.probability, status
        self.closed_at = self.updated_at = datetime.now(UTC)
        return from_stage
