"""Winning and losing a deal, whoever asks: Sales by hand, an approved close request, or an event.

A win tells subscribers the account's CSM, and when the account is still a prospect its other open
deals are flagged for their owners to review. A loss with potential opens a follow-up deal in the
cold-leads pipeline, to be recontacted on the given date.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from crm_deals.domain.events import CloseCause
from crm_deals.domain.model import Deal, Pipeline
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.errors import InvalidInput

REVIEW_REASON = "account_won_while_prospect"


@dataclass(frozen=True, kw_only=True)
class Potential:
    """A lost deal worth another try: the follow-up's recontact date and optional overrides."""

    recontact_on: date
    title: str | None = None
    amount_minor: int | None = None
    owner_id: str | None = None


async def win(
    uow: DealsUnitOfWork,
    deal: Deal,
    *,
    by: str,
    cause: CloseCause = "manual",
    requested_by: str | None = None,
) -> None:
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    account = await uow.accounts.get(deal.account_id) if deal.account_id else None
    csm_id = account.csm_id if account else None
    deal.win(pipeline=pipeline, by=by, cause=cause, requested_by=requested_by, csm_id=csm_id)
    await uow.deals.update(deal)
    if account is not None and account.is_prospect:
        await _suggest_reviews(uow, deal, account.id, by=by)


async def lose(
    uow: DealsUnitOfWork,
    deal: Deal,
    *,
    reason: str,
    by: str,
    cause: CloseCause = "manual",
    requested_by: str | None = None,
    potential: Potential | None = None,
) -> Deal | None:
    """Returns the follow-up deal when the loss has potential."""
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    follow_up = None if potential is None else await _follow_up(uow, deal, potential, by=by)
    deal.lose(
        pipeline=pipeline, reason=reason, by=by, cause=cause, requested_by=requested_by, follow_up=follow_up
    )
    await uow.deals.update(deal)
    if follow_up is not None:
        await uow.deals.add(follow_up)
    return follow_up


async def _follow_up(uow: DealsUnitOfWork, lost: Deal, potential: Potential, *, by: str) -> Deal:
    if potential.recontact_on <= datetime.now(UTC).date():
        raise InvalidInput("potential.recontact_on", "a recontact date is in the future")
    cold = await uow.pipelines.cold_leads()
    return Deal.open(
        pipeline=cold,
        by=by,
        follow_up_of=lost.id,
        title=potential.title or lost.title,
        amount_minor=lost.amount_minor if potential.amount_minor is None else potential.amount_minor,
        currency=lost.currency,
        owner_id=potential.owner_id or lost.owner_id,
        team=lost.team,
        account_id=lost.account_id,
        contact_id=lost.contact_id,
        contact_ids=lost.contact_ids,
        tags=lost.tags,
        recontact_on=potential.recontact_on,
        expected_close_date=potential.recontact_on,
    )


async def _suggest_reviews(uow: DealsUnitOfWork, won: Deal, account_id: UUID, *, by: str) -> None:
    pipelines: dict[UUID, Pipeline] = {}
    for other in await uow.deals.open_of_account(account_id, besides=won.id):
        if other.pipeline_id not in pipelines:
            pipelines[other.pipeline_id] = await uow.pipelines.get(other.pipeline_id)
        other.suggest_review(pipeline=pipelines[other.pipeline_id], won=won, reason=REVIEW_REASON, by=by)
        await uow.deals.update(other)
