"""Deals. A deal stands in one stage of one pipeline; its status follows the stage's kind.

Only open deals move between open stages; won and lost are reached through `win` and `lose` (which
check who may close), and left through `reopen`. Every change records an event with its before and after
values. Pipelines live in `pipelines`, field rules in `deal_values`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from crm_deals.domain import deal_records as records
from crm_deals.domain import events
from crm_deals.domain.deal_values import check_consistency, checked, dated_title, has_date_prefix
from crm_deals.domain.pipelines import Pipeline, Stage, StageKind
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import casefold_key

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
STATUS_OF_KIND = {
    StageKind.OPEN: DealStatus.OPEN,
    StageKind.WON: DealStatus.WON,
    StageKind.LOST: DealStatus.LOST,
}


@dataclass(eq=False, kw_only=True)
class Deal(Aggregate):
    id: UUID
    title: str
    description: str | None = None
    amount_minor: int
    currency: str
    best_case_minor: int | None = None
    worst_case_minor: int | None = None
    pipeline_id: UUID
    stage_id: UUID
    probability: int
    probability_overridden: bool = False
    status: DealStatus = DealStatus.OPEN
    score: int | None = None
    expected_close_date: date | None = None
    owner_id: str
    team: str | None = None
    account_id: UUID | None = None
    contact_id: UUID | None = None
    contact_ids: tuple[UUID, ...] = ()
    lead_id: UUID | None = None
    tags: tuple[str, ...] = ()
    lost_reason: str | None = None
    recontact_on: date | None = None
    follow_up_of: UUID | None = None
    renewal_of_contract: UUID | None = None
    renewal_start: date | None = None
    rank: float = 0.0
    needs_review: bool = False
    review_reason: str | None = None
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    closed_at: datetime | None = None

    @classmethod
    def open(
        cls,
        *,
        pipeline: Pipeline,
        by: str,
        stage: Stage | None = None,
        lead_id: UUID | None = None,
        follow_up_of: UUID | None = None,
        renewal: tuple[UUID, date] | None = None,
        rank: float | None = None,
        **values: Any,
    ) -> "Deal":
        """`values` are editable fields (`deal_values.EDITABLE`); title, amount and owner are required."""
        pipeline.check_writable()
        stage = stage or pipeline.first_open_stage
        if stage.kind is not StageKind.OPEN:
            raise InvalidInput("stage_id", "a deal starts in an open stage")
        fields = checked({"currency": pipeline.currency} | values)
        for required in ("title", "amount_minor", "owner_id"):
            if required not in fields:
                raise InvalidInput(required, "required")
        fields.pop("needs_review", None)
        now = datetime.now(UTC)
        if pipeline.settings.title_date_prefix and not has_date_prefix(fields["title"]):
            fields["title"] = dated_title(fields["title"], now.date())
        overridden = fields.get("probability") is not None
        fields["probability"] = fields["probability"] if overridden else stage.probability
        deal = cls(
            id=new_id(),
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            probability_overridden=overridden,
            lead_id=lead_id,
            follow_up_of=follow_up_of,
            renewal_of_contract=renewal[0] if renewal else None,
            renewal_start=renewal[1] if renewal else None,
            rank=now.timestamp() if rank is None else rank,
            created_by=by,
            updated_by=by,
            created_at=now,
            updated_at=now,
            stage_entered_at=now,
            **fields,
        )
        deal._check_consistency()
        deal.record(records.created(deal, pipeline, stage))
        return deal

    def update(self, changes: Mapping[str, Any], *, by: str, stage: Stage | None = None) -> bool:
        """Changes editable fields; True and a `DealUpdated` when something changed.

        `probability: None` goes back to the stage's default, which `stage` (the current one) gives.
        """
        values = checked(changes)
        if "probability" in values:
            overridden = values["probability"] is not None
            if not overridden:
                if stage is None or stage.id != self.stage_id:
                    raise InvalidInput("probability", "the current stage is needed to reset it")
                values["probability"] = stage.probability
            values["probability_overridden"] = overridden
        if values.get("needs_review") is False:
            values["review_reason"] = None
        changed = {k: (getattr(self, k), v) for k, v in values.items() if getattr(self, k) != v}
        if not changed:
            return False
        for name, (_, after) in changed.items():
            setattr(self, name, after)
        self._check_consistency()
        self._touch(by)
        self._record_update(changed, by)
        return True

    def move(
        self,
        *,
        pipeline: Pipeline,
        stage: Stage,
        by: str,
        rank: float | None = None,
        cause: events.MoveCause = "moved",
    ) -> None:
        """A kanban move within the pipeline (or, with `cause`, one the system makes)."""
        self._check_movable(pipeline, stage)
        if stage.id == self.stage_id:
            if rank is not None and rank != self.rank:
                self._record_update({"rank": (self.rank, rank)}, by)
                self.rank = rank
                self._touch(by)
            return
        self._enter(pipeline, pipeline, stage, by=by, rank=rank, cause=cause)

    def move_to_pipeline(
        self, *, source: Pipeline, target: Pipeline, stage: Stage | None, by: str, rank: float | None = None
    ) -> None:
        """To another pipeline: the given stage, else the open stage of the same name or position."""
        if target.id == source.id:
            raise InvalidInput("pipeline_id", "the deal is already in this pipeline")
        self._check_open()
        stage = stage or mapped_stage(source.stage(self.stage_id), source, target)
        self._check_movable(target, stage)
        source.check_writable()
        self._enter(source, target, stage, by=by, rank=rank, cause="pipeline_changed")

    def win(
        self,
        *,
        pipeline: Pipeline,
        by: str,
        cause: events.CloseCause = "manual",
        requested_by: str | None = None,
        csm_id: str | None = None,
    ) -> None:
        pipeline.check_writable()
        won, before = pipeline.stage_of_kind(StageKind.WON), pipeline.stage(self.stage_id)
        self._close(won, DealStatus.WON, by)
        self.record(
            records.won(self, pipeline, before, cause=cause, requested_by=requested_by, csm_id=csm_id)
        )

    def lose(
        self,
        *,
        pipeline: Pipeline,
        reason: str,
        by: str,
        cause: events.CloseCause = "manual",
        requested_by: str | None = None,
        follow_up: "Deal | None" = None,
    ) -> None:
        if not reason or not reason.strip():
            raise InvalidInput("reason", "a lost deal needs a reason")
        pipeline.check_writable()
        lost, before = pipeline.stage_of_kind(StageKind.LOST), pipeline.stage(self.stage_id)
        self._close(lost, DealStatus.LOST, by)
        self.lost_reason = reason.strip()
        self.recontact_on = follow_up.recontact_on if follow_up else self.recontact_on
        self.record(
            records.lost(self, pipeline, before, cause=cause, requested_by=requested_by, follow_up=follow_up)
        )

    def reopen(self, *, pipeline: Pipeline, stage: Stage | None, by: str) -> None:
        """A won or lost deal goes back to an open stage (by default the pipeline's first)."""
        if self.status is DealStatus.OPEN:
            raise Conflict(f"deal {self.id} is open already", code="deal_open")
        pipeline.check_writable()
        stage = stage or pipeline.first_open_stage
        if stage.kind is not StageKind.OPEN:
            raise InvalidInput("stage_id", "a reopened deal goes to an open stage")
        before, from_status = self.stage_id, self.status
        self.stage_id, self.status, self.closed_at, self.lost_reason = stage.id, DealStatus.OPEN, None, None
        self.probability = self.probability if self.probability_overridden else stage.probability
        self._touch(by, entered=True)
        self.record(
            records.reopened(self, pipeline, before, "won" if from_status is DealStatus.WON else "lost")
        )

    def repoint(self, *, field: str, merged: set[UUID], survivor: UUID, by: str) -> bool:
        """After a merge in leads: references to a merged account or contact now name the survivor."""
        if field == "account_id":
            changes: dict[str, Any] = {"account_id": survivor} if self.account_id in merged else {}
        elif field == "contact_id":
            primary = survivor if self.contact_id in merged else self.contact_id
            others = tuple(dict.fromkeys(survivor if c in merged else c for c in self.contact_ids))
            changes = {"contact_id": primary, "contact_ids": tuple(c for c in others if c != primary)}
        else:
            raise ValueError(field)
        return self.update(changes, by=by)

    def suggest_review(self, *, pipeline: Pipeline, won: "Deal", reason: str, by: str) -> None:
        if self.status is not DealStatus.OPEN or self.account_id is None:
            return
        self.needs_review, self.review_reason = True, reason
        self._touch(by)
        self.record(records.review_suggested(self, pipeline, won, reason))

    def _enter(
        self,
        source: Pipeline,
        target: Pipeline,
        stage: Stage,
        *,
        by: str,
        rank: float | None,
        cause: events.MoveCause,
    ) -> None:
        before, before_probability = source.stage(self.stage_id), self.probability
        self.pipeline_id, self.stage_id = target.id, stage.id
        self.probability = self.probability if self.probability_overridden else stage.probability
        self.rank = rank if rank is not None else datetime.now(UTC).timestamp()
        self._touch(by, entered=True)
        self.record(
            records.stage_changed(
                self, source, target, before, probability=(before_probability, self.probability), cause=cause
            )
        )
        if target.settings.title_date_prefix and stage.id == target.settings.proposal_stage_id:
            self.update({"title": dated_title(self.title, self.updated_at.date())}, by=by)

    def _check_open(self) -> None:
        if self.status is not DealStatus.OPEN:
            raise Conflict(f"deal {self.id} is {self.status}: reopen it first", code="deal_closed")

    def _check_movable(self, pipeline: Pipeline, stage: Stage) -> None:
        self._check_open()
        pipeline.check_writable()
        pipeline.stage(stage.id)
        if stage.kind is not StageKind.OPEN:
            raise InvalidInput("stage_id", "won and lost are reached by winning or losing the deal")

    def _close(self, stage: Stage, status: DealStatus, by: str) -> None:
        if self.status is not DealStatus.OPEN:
            raise Conflict(f"deal {self.id} is already {self.status}", code="deal_closed")
        self.stage_id, self.probability, self.status = stage.id, stage.probability, status
        self.needs_review, self.review_reason = False, None
        self._touch(by, entered=True)
        self.closed_at = self.updated_at

    def _touch(self, by: str, *, entered: bool = False) -> None:
        self.updated_at, self.updated_by = datetime.now(UTC), by
        if entered:
            self.stage_entered_at = self.updated_at

    def _check_consistency(self) -> None:
        check_consistency(
            best_case_minor=self.best_case_minor,
            worst_case_minor=self.worst_case_minor,
            contact_id=self.contact_id,
            contact_ids=self.contact_ids,
        )

    def _record_update(self, changed: Mapping[str, tuple[Any, Any]], by: str) -> None:
        self.record(records.updated(self, changed, by))


def mapped_stage(current: Stage, source: Pipeline, target: Pipeline) -> Stage:
    """Same name (case-insensitive), else same rank among open stages, else the target's first."""
    opens = [s for s in target.ordered if s.kind is StageKind.OPEN]
    named = next((s for s in opens if casefold_key(s.name) == casefold_key(current.name)), None)
    if named:
        return named
    index = [s.id for s in source.ordered if s.kind is StageKind.OPEN].index(current.id)
    return opens[min(index, len(opens) - 1)]
