"""Use cases of close requests: CSM and Support ask, Sales approves or rejects, the requester may cancel.

An approval wins or loses the deal through `closing`, in the same transaction, recorded as caused by
the request (`cause="close_request"`, `requested_by` the requester).
"""

from uuid import UUID

from crm_deals.adapters.close_requests import CloseRequestRepository, ListedRequest
from crm_deals.domain.close_requests import (
    CloseOutcome,
    CloseRequest,
    CloseRequestStatus,
    SignedOffer,
)
from crm_deals.service_layer import closing
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import Conflict, Forbidden

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
REQUESTERS = (Role.CSM, Role.SUPPORT)
DECIDERS = (Role.SALES,)


def _requests(uow: DealsUnitOfWork) -> CloseRequestRepository:
    return uow.close_requests


async def request_close(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    deal_id: UUID,
    outcome: CloseOutcome,
    signed_amount_minor: int | None,
    currency: str | None,
    reason: str | None,
    comment: str | None,
    filename: str | None,
    content_type: str | None,
    content: bytes,
) -> ListedRequest:
    """One pending request per deal; the signed offer is stored with it, or nothing is."""
    authorize(actor, *REQUESTERS)
    offer = SignedOffer.of(filename=filename, declared_type=content_type, content=content)
    deal = await uow.deals.get(deal_id, for_update=True)  # serialises requests on the deal
    requests = _requests(uow)
    pending = await requests.pending_of(deal_id)
    if pending is not None:
        raise Conflict(
            f"deal {deal_id} already has a pending close request ({pending.id})", "close_request_pending"
        )
    request = CloseRequest.submit(
        deal=deal,
        outcome=outcome,
        by=actor.user_id,
        signed_amount_minor=signed_amount_minor,
        currency=currency,
        reason=reason,
        comment=comment,
    )
    await requests.add_with_offer(request, offer)
    return await requests.listed(request.id)


async def list_deal_requests(
    *, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, after: UUID | None, limit: int
) -> list[ListedRequest]:
    authorize(actor, *READERS)
    await uow.deals.get(deal_id)  # 404 for an unknown deal rather than an empty list
    return await _requests(uow).listing(equal={"deal_id": deal_id}, after=after, limit=limit)


async def list_requests(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    status: CloseRequestStatus | None,
    outcome: CloseOutcome | None,
    requested_by: str | None,
    after: UUID | None,
    limit: int,
    oldest_first: bool,
) -> list[ListedRequest]:
    """Sales' queue is `status=pending`, oldest first."""
    authorize(actor, *READERS)
    equal = {"status": status, "outcome": outcome, "requested_by": requested_by}
    return await _requests(uow).listing(equal=equal, after=after, limit=limit, oldest_first=oldest_first)


async def get_request(*, uow: DealsUnitOfWork, actor: Principal, request_id: UUID) -> ListedRequest:
    authorize(actor, *READERS)
    return await _requests(uow).listed(request_id)


async def get_signed_offer(*, uow: DealsUnitOfWork, actor: Principal, request_id: UUID) -> SignedOffer:
    authorize(actor, *READERS)
    return await _requests(uow).offer(request_id)


async def approve_request(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    request_id: UUID,
    note: str | None,
    expected_version: int | None,
) -> ListedRequest:
    """Refused (409 `signed_amount_mismatch`) while a win's signed amount is not the deal's amount."""
    authorize(actor, *DECIDERS)
    requests = _requests(uow)
    request = await _locked(requests, request_id, expected_version)
    deal = await uow.deals.get(request.deal_id, for_update=True)
    request.approve(deal=deal, by=actor.user_id, note=note)
    if request.is_win:
        await closing.win(
            uow, deal, by=actor.user_id, cause="close_request", requested_by=request.requested_by
        )
    else:
        await closing.lose(
            uow,
            deal,
            reason=request.reason or "",
            by=actor.user_id,
            cause="close_request",
            requested_by=request.requested_by,
        )
    await requests.update(request)
    return await requests.listed(request_id)


async def reject_request(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    request_id: UUID,
    note: str,
    expected_version: int | None,
) -> ListedRequest:
    authorize(actor, *DECIDERS)
    requests = _requests(uow)
    request = await _locked(requests, request_id, expected_version)
    deal = await uow.deals.get(request.deal_id)
    request.reject(deal=deal, by=actor.user_id, note=note)
    await requests.update(request)
    return await requests.listed(request_id)


async def cancel_request(
    *, uow: DealsUnitOfWork, actor: Principal, request_id: UUID, expected_version: int | None
) -> ListedRequest:
    """Only its requester (or an administrator) withdraws a request."""
    authorize(actor, *READERS)
    requests = _requests(uow)
    request = await _locked(requests, request_id, expected_version)
    if request.requested_by != actor.user_id and not actor.has_any(Role.ADMIN):
        raise Forbidden("only the requester cancels a close request")
    request.cancel(by=actor.user_id)
    await requests.update(request)
    return await requests.listed(request_id)


async def _locked(
    requests: CloseRequestRepository, request_id: UUID, expected_version: int | None
) -> CloseRequest:
    request = await requests.get(request_id, for_update=True)
    request.check_version(expected_version)
    return request
