"""Use cases of the quotes service. Each runs inside one unit of work that the boundary commits."""

from uuid import UUID

from crm_quotes.domain.model import Contract
from crm_quotes.service_layer.unit_of_work import QuotesUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import InvalidInput
from crm_shared.events import Envelope
from crm_shared.events.deals import DealWon
from crm_shared.messaging.consumer import PoisonMessage

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)


async def get_contract(*, uow: QuotesUnitOfWork, actor: Principal, contract_id: UUID) -> Contract:
    authorize(actor, *READERS)
    return await uow.contracts.get(contract_id)


async def list_contracts(
    *,
    uow: QuotesUnitOfWork,
    actor: Principal,
    deal_id: UUID | None,
    account_id: UUID | None,
    owner_id: str | None,
    after: UUID | None,
    limit: int,
) -> list[Contract]:
    authorize(actor, *READERS)
    return await uow.contracts.list(
        deal_id=deal_id, account_id=account_id, owner_id=owner_id, after=after, limit=limit
    )


async def set_up_billing_for_won_deal(event: DealWon, *, uow: QuotesUnitOfWork, envelope: Envelope) -> None:
    """Flow 4: one contract per won deal (the inbox, this lookup and a unique deal id)."""
    if await uow.contracts.by_deal(event.deal_id) is not None:
        return
    try:
        contract = Contract.for_won_deal(
            deal_id=event.deal_id,
            account_id=event.account_id,
            title=event.title,
            won_at=event.won_at,
            budget_minor=event.amount_minor,
            currency=event.currency,
            owner_id=event.owner_id,
            csm_id=event.csm_id,
        )
    except InvalidInput as exc:  # retrying would refuse it again: dead-letter it at once
        raise PoisonMessage(f"no contract for deal {event.deal_id}: {exc.extra['errors']}") from exc
    await uow.contracts.add(contract)
