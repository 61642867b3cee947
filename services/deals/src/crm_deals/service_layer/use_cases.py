"""Use cases of the deals service. Each runs inside one unit of work that the boundary commits."""

from uuid import UUID

import structlog

from crm_deals.domain.model import Deal, Pipeline, Stage, StageKind
from crm_deals.service_layer import closing
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import NotFound
from crm_shared.events import Envelope
from crm_shared.events.leads import LeadConverted

log = structlog.get_logger()

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
CLOSERS = (Role.SALES,)  # only Sales (and Admin) mark deals won or lost


async def get_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID) -> Deal:
    authorize(actor, *READERS)
    return await uow.deals.get(deal_id)


async def win_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID) -> Deal:
    authorize(actor, *CLOSERS)
    deal = await uow.deals.get(deal_id, for_update=True)
    await closing.win(uow, deal, by=actor.user_id)
    return deal


async def lose_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, reason: str) -> Deal:
    authorize(actor, *CLOSERS)
    deal = await uow.deals.get(deal_id, for_update=True)
    await closing.lose(uow, deal, reason=reason, by=actor.user_id)
    return deal


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
