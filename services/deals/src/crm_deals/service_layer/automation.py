"""Automatic rules driven by other services' events: quotes move and win deals, a contract due for
renewal opens its renewal deal, merges in leads re-point deals to the surviving record.

The rules run under the system policy (`SYSTEM`): the rule itself, not the roles of the user behind the
event, allows the transition, and that user is recorded as the one who made it (`by`). The consumer's
inbox only dedupes redeliveries of one event id, so each rule is also idempotent on its own business key:
the deal's state for moves and wins, (contract, period) for renewals, the references left for merges.
A deal id this service does not know is logged and skipped: it may belong to no deal of ours, and a
dead letter could never be applied either.
"""

from datetime import UTC, date, datetime
from uuid import UUID

import structlog

from crm_deals.domain.deal_values import dated_title
from crm_deals.domain.events import CloseCause
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage
from crm_deals.service_layer import closing
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import SYSTEM, Role, authorize
from crm_shared.errors import Conflict, NotFound
from crm_shared.events import Envelope
from crm_shared.events.accounts import AccountsMerged, ContactsMerged
from crm_shared.events.quotes import ContractRenewalDue, OrderConfirmed, QuoteAccepted, QuoteSent
from crm_shared.messaging.consumer import PoisonMessage

log = structlog.get_logger()

POLICY = SYSTEM
"""Who acts for event-driven transitions; `by` names the user who caused the originating action."""


async def move_to_proposal_on_quote_sent(
    event: QuoteSent, *, uow: DealsUnitOfWork, envelope: Envelope
) -> None:
    """A sent quote puts its deal in the pipeline's proposal stage (never back from a later stage)."""
    authorize(POLICY, Role.SALES)
    deal = await _linked_deal(uow, event.deal_id, rule="quote_sent")
    if deal is None:
        return
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    target = _proposal_target(deal, pipeline)
    if isinstance(target, str):
        _skip("quote_sent", deal.id, target)
        return
    deal.move(pipeline=pipeline, stage=target, by=event.sent_by, cause="quote_sent")
    await uow.deals.update(deal)


async def win_on_order_confirmed(event: OrderConfirmed, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    await _win_linked(uow, event.deal_id, by=event.confirmed_by, cause="order_confirmed")


async def win_on_quote_accepted(event: QuoteAccepted, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    await _win_linked(uow, event.deal_id, by=event.accepted_by, cause="quote_accepted")


async def repoint_merged_accounts(event: AccountsMerged, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    await _repoint(uow, "account_id", event.merged_ids, event.survivor_id, by=event.merged_by)


async def repoint_merged_contacts(event: ContactsMerged, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    await _repoint(uow, "contact_id", event.merged_ids, event.survivor_id, by=event.merged_by)


async def open_renewal_deal(event: ContractRenewalDue, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
    """One renewal deal per contract and period, in the renewal pipeline, owned by the account's CSM.

    No renewal pipeline is a configuration problem, not a transient one: the event is dead-lettered
    with the reason, to be replayed once a pipeline is flagged.
    """
    authorize(POLICY, Role.SALES)
    if await uow.deals.by_renewal(event.contract_id, event.renewal_start) is not None:
        log.info("deals.automation.skipped", rule="contract_renewal_due", reason="renewal_deal_exists")
        return
    pipeline = await _renewal_pipeline(uow)
    source = await _source_deal(uow, event.deal_id)
    account_id = event.account_id or (source.account_id if source else None)
    owner_id = await _renewal_owner(uow, account_id, event)
    known = await uow.users.get(owner_id)
    deal = Deal.open(
        pipeline=pipeline,
        by=POLICY.user_id,
        renewal=(event.contract_id, event.renewal_start),
        title=renewal_title(event, pipeline, today=datetime.now(UTC).date()),
        amount_minor=event.budget_minor,
        currency=event.currency,
        owner_id=owner_id,
        team=known.team if known and known.team else pipeline.team,
        account_id=account_id,
        contact_id=source.contact_id if source else None,
        contact_ids=source.contact_ids if source else (),
        expected_close_date=event.end_date,
    )
    await uow.deals.add(deal)
    log.info("deals.renewal_deal.opened", deal_id=str(deal.id), contract_id=str(event.contract_id))


def renewal_title(event: ContractRenewalDue, pipeline: Pipeline, *, today: date) -> str:
    """`<contract title> (<start> → <end>)`: dates only, readable in French and in English.

    In a pipeline with dated titles the date is today's, not the one the contract's deal once had.
    """
    period = f" ({event.renewal_start:%Y-%m-%d} → {event.renewal_end:%Y-%m-%d})"
    title = dated_title(event.title, today) if pipeline.settings.title_date_prefix else event.title.strip()
    return title[: 255 - len(period)] + period


def _proposal_target(deal: Deal, pipeline: Pipeline) -> Stage | str:
    """The stage the deal moves to, or why it stays where it is."""
    if pipeline.settings.proposal_stage_id is None:
        return "no_proposal_stage"
    if deal.status is not DealStatus.OPEN:
        return f"deal_{deal.status}"
    if pipeline.archived:
        return "pipeline_archived"
    proposal = pipeline.stage(pipeline.settings.proposal_stage_id)
    if pipeline.stage(deal.stage_id).position >= proposal.position:
        return "at_or_past_proposal_stage"
    return proposal


async def _win_linked(uow: DealsUnitOfWork, deal_id: UUID | None, *, by: str, cause: CloseCause) -> None:
    """Wins the deal when its pipeline wins on a confirmed order; a closed deal stays as it is."""
    authorize(POLICY, Role.SALES)
    deal = await _linked_deal(uow, deal_id, rule=cause)
    if deal is None:
        return
    pipeline = await uow.pipelines.get(deal.pipeline_id)
    if not pipeline.settings.win_when_order_confirmed:
        _skip(cause, deal.id, "pipeline_does_not_win_on_order")
    elif deal.status is DealStatus.WON:
        _skip(cause, deal.id, "deal_won")
    elif deal.status is DealStatus.LOST:
        log.warning("deals.automation.skipped", rule=cause, deal_id=str(deal.id), reason="deal_lost")
    elif pipeline.archived:
        _skip(cause, deal.id, "pipeline_archived")
    else:
        await closing.win(uow, deal, by=by, cause=cause)


async def _repoint(
    uow: DealsUnitOfWork, field: str, merged_ids: list[UUID], survivor: UUID, *, by: str
) -> None:
    """Every deal naming a merged record, closed ones too; each change is published with before/after."""
    merged = set(merged_ids) - {survivor}
    if not merged:
        return
    for deal in await uow.deals.referring_to(field, merged):
        if deal.repoint(field=field, merged=merged, survivor=survivor, by=by):
            await uow.deals.update(deal)


async def _linked_deal(uow: DealsUnitOfWork, deal_id: UUID | None, *, rule: str) -> Deal | None:
    if deal_id is None:
        _skip(rule, None, "no_deal_linked")
        return None
    try:
        return await uow.deals.get(deal_id, for_update=True)
    except NotFound:
        _skip(rule, deal_id, "unknown_deal")
        return None


async def _source_deal(uow: DealsUnitOfWork, deal_id: UUID | None) -> Deal | None:
    """The deal the contract came from, for its contacts; renewals open without it all the same."""
    try:
        return None if deal_id is None else await uow.deals.get(deal_id)
    except NotFound:
        return None


async def _renewal_owner(uow: DealsUnitOfWork, account_id: UUID | None, event: ContractRenewalDue) -> str:
    account = await uow.accounts.get(account_id) if account_id else None
    return (account.csm_id if account else None) or event.csm_id or event.owner_id


async def _renewal_pipeline(uow: DealsUnitOfWork) -> Pipeline:
    try:
        return await uow.pipelines.renewals()
    except Conflict as exc:
        raise PoisonMessage(
            f"{exc}; replay this dead letter (`crm-deals dlq replay`) once a pipeline is flagged"
        ) from exc


def _skip(rule: str, deal_id: UUID | None, reason: str) -> None:
    log.info("deals.automation.skipped", rule=rule, deal_id=str(deal_id) if deal_id else None, reason=reason)
