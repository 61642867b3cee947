"""Use cases of the deals service. Each runs inside one unit of work that the boundary commits.

Everyone reads deals. Sales edits and moves any deal, CSM and Support only the deals they own; only
Sales gives a deal to another owner, wins, loses and reopens (Admin passes every check). A refused
request raises before anything is written, and the boundary rolls back whatever was.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog

from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind, mapped_stage
from crm_deals.service_layer import closing, users
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from crm_shared.events import Envelope
from crm_shared.events.leads import LeadConverted

log = structlog.get_logger()

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
EDITORS = (Role.SALES, Role.CSM, Role.SUPPORT)  # CSM and Support: only the deals they own
OWNER_CHANGERS = (Role.SALES,)
CLOSERS = (Role.SALES,)  # only Sales (and Admin) mark deals won or lost


async def get_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID) -> Deal:
    authorize(actor, *READERS)
    return await uow.deals.get(deal_id)


async def create_deal(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    pipeline_id: UUID | None,
    stage_id: UUID | None,
    values: Mapping[str, Any],
) -> Deal:
    """Owner: the caller unless given; team: the owner's, else the caller's; at the stage's bottom."""
    authorize(actor, *EDITORS)
    owner_id = values.get("owner_id") or actor.user_id
    if owner_id != actor.user_id:
        authorize(actor, *OWNER_CHANGERS)
    if "owner_id" in values:
        await users.check_owner(uow, owner_id)
    team = values["team"] if "team" in values else (await users.team_of(uow, owner_id) or actor.team)
    pipeline = await _pipeline(uow, pipeline_id)
    stage = pipeline.stage(stage_id) if stage_id else pipeline.first_open_stage
    deal = Deal.open(
        pipeline=pipeline,
        stage=stage,
        by=actor.user_id,
        rank=_below(await uow.deals.last_rank(stage.id)),
        **(dict(values) | {"owner_id": owner_id, "team": team}),
    )
    await uow.deals.add(deal)
    return deal


async def update_deal(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    deal_id: UUID,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> Deal:
    deal = await _for_change(uow, actor, deal_id, expected_version)
    if changes.get("owner_id", deal.owner_id) != deal.owner_id:
        authorize(actor, *OWNER_CHANGERS)
        await users.check_owner(uow, changes["owner_id"])
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    pipeline.check_writable()
    if deal.update(changes, by=actor.user_id, stage=pipeline.stage(deal.stage_id)):
        await uow.deals.update(deal)
    return deal


async def move_deal(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    deal_id: UUID,
    stage_id: UUID,
    before_id: UUID | None,
    after_id: UUID | None,
    expected_version: int | None,
) -> Deal:
    """Kanban: into `stage_id`, above `before_id` and below `after_id` (neither: at the bottom)."""
    deal = await _for_change(uow, actor, deal_id, expected_version)
    _check_open(deal)
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    stage = pipeline.stage(stage_id)
    rank = await _rank(uow, deal, stage, before_id=before_id, after_id=after_id)
    last_change = deal.updated_at
    deal.move(pipeline=pipeline, stage=stage, by=actor.user_id, rank=rank)
    if deal.updated_at != last_change:
        await uow.deals.update(deal)
    return deal


async def move_deal_to_pipeline(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    deal_id: UUID,
    pipeline_id: UUID,
    stage_id: UUID | None,
    expected_version: int | None,
) -> Deal:
    """To the given stage, else the open stage of the same name, else of the same rank; at its bottom."""
    deal = await _for_change(uow, actor, deal_id, expected_version)
    _check_open(deal)
    source, target = await uow.pipelines.get(deal.pipeline_id), await _pipeline(uow, pipeline_id)
    if target.id == source.id:
        raise InvalidInput("pipeline_id", "the deal is already in this pipeline")
    stage = target.stage(stage_id) if stage_id else mapped_stage(source.stage(deal.stage_id), source, target)
    rank = _below(await uow.deals.last_rank(stage.id))
    deal.move_to_pipeline(source=source, target=target, stage=stage, by=actor.user_id, rank=rank)
    await uow.deals.update(deal)
    return deal


async def reopen_deal(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    deal_id: UUID,
    stage_id: UUID | None = None,
    expected_version: int | None = None,
) -> Deal:
    deal = await _for_close(uow, actor, deal_id, expected_version)
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    stage = pipeline.stage(stage_id) if stage_id else None
    deal.reopen(pipeline=pipeline, stage=stage, by=actor.user_id)
    await uow.deals.update(deal)
    return deal


async def win_deal(
    *, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, expected_version: int | None = None
) -> Deal:
    deal = await _for_close(uow, actor, deal_id, expected_version)
    await closing.win(uow, deal, by=actor.user_id)
    return deal


async def lose_deal(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    deal_id: UUID,
    reason: str,
    potential: closing.Potential | None = None,
    expected_version: int | None = None,
) -> tuple[Deal, Deal | None]:
    """The lost deal, and its follow-up in the cold-leads pipeline when lost with potential."""
    deal = await _for_close(uow, actor, deal_id, expected_version)
    if potential is not None and potential.owner_id is not None:
        await users.check_owner(uow, potential.owner_id, field="potential.owner_id")
    follow_up = await closing.lose(uow, deal, reason=reason, by=actor.user_id, potential=potential)
    return deal, follow_up


async def _for_change(
    uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, expected_version: int | None
) -> Deal:
    authorize(actor, *EDITORS)
    deal = await uow.deals.get(deal_id, for_update=True)
    if not actor.has_any(Role.ADMIN, Role.SALES) and deal.owner_id != actor.user_id:
        raise Forbidden("csm and support change only the deals they own")
    deal.check_version(expected_version)
    return deal


async def _for_close(
    uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, expected_version: int | None
) -> Deal:
    authorize(actor, *CLOSERS)
    deal = await uow.deals.get(deal_id, for_update=True)
    deal.check_version(expected_version)
    return deal


def _check_open(deal: Deal) -> None:
    if deal.status is not DealStatus.OPEN:
        raise Conflict(f"deal {deal.id} is {deal.status}: reopen it first", code="deal_closed")


async def _pipeline(uow: DealsUnitOfWork, pipeline_id: UUID | None) -> Pipeline:
    if pipeline_id is None:
        return await uow.pipelines.default()
    try:
        return await uow.pipelines.get(pipeline_id)
    except NotFound:
        raise InvalidInput("pipeline_id", f"no pipeline {pipeline_id}") from None


async def _rank(
    uow: DealsUnitOfWork, deal: Deal, stage: Stage, *, before_id: UUID | None, after_id: UUID | None
) -> float:
    """Between the neighbours given (one: a step past it); none: below the stage's last deal."""
    above = await _neighbour(uow, deal, stage, after_id, "after_id")
    below = await _neighbour(uow, deal, stage, before_id, "before_id")
    if above is not None and below is not None:
        return (above.rank + below.rank) / 2
    if below is not None:
        return below.rank - 1
    if above is not None:
        return above.rank + 1
    last = await uow.deals.last_rank(stage.id, besides=deal.id)
    if deal.stage_id == stage.id and (last is None or deal.rank > last):
        return deal.rank  # at the bottom already
    return _below(last)


async def _neighbour(
    uow: DealsUnitOfWork, deal: Deal, stage: Stage, neighbour_id: UUID | None, field: str
) -> Deal | None:
    if neighbour_id is None:
        return None
    if neighbour_id == deal.id:
        raise InvalidInput(field, "a deal is not its own neighbour")
    try:
        neighbour = await uow.deals.get(neighbour_id)
    except NotFound:
        raise InvalidInput(field, f"no deal {neighbour_id}") from None
    if neighbour.stage_id != stage.id:
        raise InvalidInput(field, f"deal {neighbour_id} is not in stage {stage.name}")
    return neighbour


def _below(last: float | None) -> float:
    """The bottom of a stage: one past its last deal (an empty one starts on the clock, as new deals do)."""
    return datetime.now(UTC).timestamp() if last is None else last + 1


async def open_deal_for_converted_lead(
    event: LeadConverted, *, uow: DealsUnitOfWork, envelope: Envelope
) -> None:
    """Flow 1: the deal asked for at conversion, once per lead (the inbox and a unique lead id).

    In the pipeline and stage the converting user chose; the default pipeline when none was chosen or
    the chosen one can no longer take deals (the deal is never dropped for that).
    """
    if event.deal is None or await uow.deals.by_lead(event.lead_id) is not None:
        return
    asked = event.deal
    pipeline, stage = await _conversion_target(uow, asked.pipeline_id, asked.stage_id)
    deal = Deal.open(
        pipeline=pipeline,
        stage=stage,
        by=event.converted_by,
        lead_id=event.lead_id,
        title=asked.title,
        amount_minor=asked.amount_minor,
        currency=asked.currency,
        owner_id=asked.owner_id,
        expected_close_date=asked.expected_close_date,
        account_id=event.account_id,
        contact_id=event.contact_id,
    )
    await uow.deals.add(deal)


async def _conversion_target(
    uow: DealsUnitOfWork, pipeline_id: UUID | None, stage_id: UUID | None
) -> tuple[Pipeline, Stage | None]:
    if pipeline_id is not None:
        try:
            pipeline = await uow.pipelines.get(pipeline_id)
        except NotFound:
            log.warning("deals.conversion_pipeline_unknown", pipeline_id=str(pipeline_id))
        else:
            stage = next((s for s in pipeline.stages if s.id == stage_id), None)
            if not pipeline.archived and (stage is None or stage.kind is StageKind.OPEN):
                return pipeline, stage
            log.warning("deals.conversion_pipeline_refused", pipeline_id=str(pipeline_id))
    return await uow.pipelines.default(), None
