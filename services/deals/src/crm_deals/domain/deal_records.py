"""The events a deal records, built from its state after the change (and what it was before)."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from crm_deals.domain import events
from crm_deals.domain.pipelines import Pipeline, Stage

if TYPE_CHECKING:  # the model imports this module
    from crm_deals.domain.model import Deal


def parties(deal: "Deal") -> dict[str, Any]:
    return {
        "deal_id": deal.id,
        "title": deal.title,
        "owner_id": deal.owner_id,
        "account_id": deal.account_id,
        "contact_id": deal.contact_id,
    }


def money(deal: "Deal") -> dict[str, Any]:
    return {"amount_minor": deal.amount_minor, "currency": deal.currency}


def created(deal: "Deal", pipeline: Pipeline, stage: Stage) -> events.DealCreated:
    return events.DealCreated(
        **parties(deal),
        **money(deal),
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        stage_id=stage.id,
        stage_name=stage.name,
        probability=deal.probability,
        team=deal.team,
        contact_ids=list(deal.contact_ids),
        lead_id=deal.lead_id,
        expected_close_date=deal.expected_close_date,
        tags=list(deal.tags),
        follow_up_of=deal.follow_up_of,
        recontact_on=deal.recontact_on,
        renewal_of_contract=deal.renewal_of_contract,
        created_by=deal.created_by,
        created_at=deal.created_at,
    )


def updated(deal: "Deal", changed: Mapping[str, tuple[Any, Any]], by: str) -> events.DealUpdated:
    return events.DealUpdated(
        deal_id=deal.id,
        title=deal.title,
        owner_id=deal.owner_id,
        account_id=deal.account_id,
        pipeline_id=deal.pipeline_id,
        stage_id=deal.stage_id,
        changed={k: (_plain(a), _plain(b)) for k, (a, b) in changed.items()},
        updated_at=deal.updated_at,
        updated_by=by,
    )


def stage_changed(
    deal: "Deal",
    source: Pipeline,
    target: Pipeline,
    before: Stage,
    *,
    probability: tuple[int, int],
    cause: events.MoveCause,
) -> events.DealStageChanged:
    stage = target.stage(deal.stage_id)
    return events.DealStageChanged(
        **parties(deal),
        **money(deal),
        from_pipeline=source.id,
        from_pipeline_name=source.name,
        to_pipeline=target.id,
        to_pipeline_name=target.name,
        from_stage=before.id,
        from_stage_name=before.name,
        to_stage=stage.id,
        to_stage_name=stage.name,
        to_stage_kind=stage.kind.value,
        probability=probability,
        cause=cause,
        changed_at=deal.updated_at,
        changed_by=deal.updated_by,
    )


def won(
    deal: "Deal",
    pipeline: Pipeline,
    before: Stage,
    *,
    cause: events.CloseCause,
    requested_by: str | None,
    csm_id: str | None,
) -> events.DealWon:
    stage = pipeline.stage(deal.stage_id)
    return events.DealWon(
        **parties(deal),
        **money(deal),
        contact_ids=list(deal.contact_ids),
        csm_id=csm_id,
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        from_stage=before.id,
        from_stage_name=before.name,
        to_stage=stage.id,
        to_stage_name=stage.name,
        won_at=deal.updated_at,
        won_by=deal.updated_by,
        cause=cause,
        requested_by=requested_by,
    )


def lost(
    deal: "Deal",
    pipeline: Pipeline,
    before: Stage,
    *,
    cause: events.CloseCause,
    requested_by: str | None,
    follow_up: "Deal | None",
) -> events.DealLost:
    stage = pipeline.stage(deal.stage_id)
    return events.DealLost(
        **parties(deal),
        **money(deal),
        contact_ids=list(deal.contact_ids),
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        from_stage=before.id,
        from_stage_name=before.name,
        to_stage=stage.id,
        to_stage_name=stage.name,
        reason=deal.lost_reason or "",
        lost_at=deal.updated_at,
        lost_by=deal.updated_by,
        cause=cause,
        requested_by=requested_by,
        follow_up_deal_id=follow_up.id if follow_up else None,
        recontact_on=follow_up.recontact_on if follow_up else None,
    )


def reopened(
    deal: "Deal", pipeline: Pipeline, before: UUID, from_status: Literal["won", "lost"]
) -> events.DealReopened:
    stage = pipeline.stage(deal.stage_id)
    return events.DealReopened(
        **parties(deal),
        **money(deal),
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        from_status=from_status,
        from_stage=before,
        to_stage=stage.id,
        to_stage_name=stage.name,
        reopened_at=deal.updated_at,
        reopened_by=deal.updated_by,
    )


def review_suggested(
    deal: "Deal", pipeline: Pipeline, won: "Deal", reason: str
) -> events.DealReviewSuggested:
    if deal.account_id is None:
        raise ValueError("only deals of an account are reviewed for it")
    return events.DealReviewSuggested(
        deal_id=deal.id,
        title=deal.title,
        owner_id=deal.owner_id,
        account_id=deal.account_id,
        pipeline_id=pipeline.id,
        pipeline_name=pipeline.name,
        stage_name=pipeline.stage(deal.stage_id).name,
        won_deal_id=won.id,
        won_deal_title=won.title,
        reason=reason,
        suggested_at=deal.updated_at,
    )


def _plain(value: Any) -> Any:
    """Values as they appear in events: tuples as lists, the rest as is."""
    return list(value) if isinstance(value, tuple) else value
