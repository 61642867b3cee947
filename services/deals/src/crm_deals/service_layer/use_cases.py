"""Use cases of the deals service. Each runs inside one unit of work that the boundary commits."""

from uuid import UUID

from crm_deals.domain.model import Deal, DealStatus
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.events import Envelope
from crm_shared.events.leads import LeadConverted

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
CLOSERS = (Role.SALES,)  # only Sales (and Admin) mark deals won or lost


async def get_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID) -> Deal:
    authorize(actor, *READERS)
    return await uow.deals.get(deal_id)


async def list_deals(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    owner_id: str | None,
    status: DealStatus | None,
    after: UUID | None,
    limit: int,
) -> list[Deal]:
    authorize(actor, *READERS)
    return await uow.deals.list(owner_id=owner_id, status=status, after=after, limit=limit)


async def win_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID) -> Deal:
    authorize(actor, *CLOSERS)
    deal = await uow.deals.get(deal_id, for_update=True)
    deal.win(pipeline=await uow.pipelines.get(deal.pipeline_id), by=actor.user_id)
    await uow.deals.update(deal)
    return deal


async def lose_deal(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, reason: str) -> Deal:
    authorize(actor, *CLOSERS)
    deal = await uow.deals.get(deal_id, for_update=True)
    deal.lose(pipeline=await uow.pipelines.get(deal.pipeline_id), reason=reason, by=actor.user_id)
    await uow.deals.update(deal)
    return deal


async def open_deal_for_converted_lead(
    event: LeadConverted, *, uow: DealsUnitOfWork, envelope: Envelope
) -> None:
    """Flow 1: the deal asked for at conversion, once per lead (the inbox and a unique lead id)."""
    if event.deal is None or await uow.deals.by_lead(event.lead_id) is not None:
        return
    deal = Deal.open(
        pipeline=await uow.pipelines.default(),
        title=event.deal.title,
        amount_minor=event.deal.amount_minor,
        currency=event.deal.currency,
        owner_id=event.deal.owner_id,
        account_id=event.account_id,
        contact_id=event.contact_id,
        lead_id=event.lead_id,
    )
    await uow.deals.add(deal)
