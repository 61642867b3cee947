"""The close request flow through the bus on the fake unit of work: CSM or Support asks with the signed
offer, Sales approves (the deal is won or lost as caused by the request) or rejects, the requester may
cancel."""

import uuid

import pytest

from crm_deals.domain.close_requests import CloseOutcome, CloseRequestStatus, SignedAmountMismatch
from crm_deals.domain.model import DealStatus
from crm_deals.service_layer import close_requests
from crm_shared.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from crm_shared.events import deals as published
from services.deals.tests.unit.fakes import (
    CSM,
    SALES,
    SUPPORT,
    FakeDealsUnitOfWork,
    bus,
    pipeline,
    principal,
    seed_deal,
)

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def a_deal(**values):
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    return uow, seed_deal(uow, p, amount_minor=100_000, **values)


async def ask(uow, deal_id, actor=CSM, outcome=CloseOutcome.WON, signed=100_000, reason=None):
    return await bus(uow, actor).execute(
        close_requests.request_close,
        deal_id=deal_id,
        outcome=outcome,
        signed_amount_minor=signed,
        currency=None,
        reason=reason,
        comment=" Signé le 3 ",
        filename="offre signée.pdf",
        content_type="application/pdf",
        content=PDF,
    )


async def decide(uow, use_case, request_id, actor=SALES, **values):
    return await bus(uow, actor).execute(use_case, request_id=request_id, expected_version=None, **values)


async def test_a_request_keeps_its_offer_and_tells_sales_and_a_second_one_waits():
    uow, deal = a_deal()
    listed = await ask(uow, deal.id)
    assert (listed.request.status, listed.request.requested_by, listed.request.comment) == (
        CloseRequestStatus.PENDING,
        "csm-1",
        "Signé le 3",
    )
    assert (listed.offer.content_type, listed.offer.size, listed.amount_matches) == (
        "application/pdf",
        len(PDF),
        True,
    )
    assert (await uow.close_requests.offer(listed.id)).content == PDF
    [asked] = uow.published(published.DealCloseRequested)
    assert (asked.request_id, asked.deal_id, asked.outcome, asked.signed_amount_minor) == (
        listed.id,
        deal.id,
        "won",
        100_000,
    )
    with pytest.raises(Conflict) as pending:
        await ask(uow, deal.id, actor=SUPPORT)
    assert pending.value.code == "close_request_pending"
    assert (uow.deal(deal.id).status, len(uow.close_requests.rows)) == (DealStatus.OPEN, 1)


async def test_sales_approval_wins_the_deal_as_caused_by_the_request():
    uow, deal = a_deal()
    request = await ask(uow, deal.id)
    decided = await decide(uow, close_requests.approve_request, request.id, note="ok")
    assert (decided.request.status, decided.request.decided_by, decided.deal.status) == (
        CloseRequestStatus.APPROVED,
        "sales-1",
        DealStatus.WON,
    )
    assert uow.deal(deal.id).status is DealStatus.WON
    [verdict] = uow.published(published.DealCloseRequestDecided)
    [won] = uow.published(published.DealWon)
    assert (verdict.decision, verdict.decided_by, verdict.requested_by) == ("approved", "sales-1", "csm-1")
    assert (won.cause, won.won_by, won.requested_by) == ("close_request", "sales-1", "csm-1")


async def test_an_approved_loss_loses_the_deal_with_the_reason_asked():
    uow, deal = a_deal()
    request = await ask(uow, deal.id, actor=SUPPORT, outcome=CloseOutcome.LOST, signed=None, reason="Gone")
    await decide(uow, close_requests.approve_request, request.id, note=None)
    assert (uow.deal(deal.id).status, uow.deal(deal.id).lost_reason) == (DealStatus.LOST, "Gone")
    [lost] = uow.published(published.DealLost)
    assert (lost.cause, lost.requested_by, lost.reason) == ("close_request", "support-1", "Gone")


async def test_a_win_signed_for_another_amount_waits_for_the_deal_to_be_corrected():
    uow, deal = a_deal()
    request = await ask(uow, deal.id, signed=90_000)
    published_before = list(uow.outbox)
    with pytest.raises(SignedAmountMismatch):
        await decide(uow, close_requests.approve_request, request.id, note=None)
    assert uow.deal(deal.id).status is DealStatus.OPEN
    assert uow.close_requests.rows[request.id].status is CloseRequestStatus.PENDING
    assert uow.outbox == published_before


async def test_a_rejection_says_why_and_leaves_the_deal_open():
    uow, deal = a_deal()
    request = await ask(uow, deal.id)
    with pytest.raises(InvalidInput) as silent:
        await decide(uow, close_requests.reject_request, request.id, note=" ")
    assert silent.value.extra["errors"][0]["field"] == "note"
    await decide(uow, close_requests.reject_request, request.id, note="Montant à revoir")
    assert uow.close_requests.rows[request.id].status is CloseRequestStatus.REJECTED
    assert uow.deal(deal.id).status is DealStatus.OPEN
    [verdict] = uow.published(published.DealCloseRequestDecided)
    assert (verdict.decision, verdict.note) == ("rejected", "Montant à revoir")


async def test_only_its_requester_cancels_a_request_which_is_then_decided():
    uow, deal = a_deal()
    request = await ask(uow, deal.id)
    with pytest.raises(Forbidden):
        await decide(uow, close_requests.cancel_request, request.id, actor=principal("csm-2", *CSM.roles))
    await decide(uow, close_requests.cancel_request, request.id, actor=CSM)
    assert uow.close_requests.rows[request.id].status is CloseRequestStatus.CANCELLED
    assert len(uow.outbox) == 1  # the request; a withdrawal tells nobody
    with pytest.raises(Conflict) as decided:
        await decide(uow, close_requests.approve_request, request.id, note=None)
    assert decided.value.code == "close_request_decided"
    assert (await ask(uow, deal.id)).request.status is CloseRequestStatus.PENDING  # a new one may be asked


async def test_sales_decides_and_does_not_ask_csm_asks_and_does_not_decide():
    uow, deal = a_deal()
    with pytest.raises(Forbidden):
        await ask(uow, deal.id, actor=SALES)
    request = await ask(uow, deal.id)
    with pytest.raises(Forbidden):
        await decide(uow, close_requests.approve_request, request.id, actor=CSM, note=None)
    assert (uow.deal(deal.id).status, len(uow.outbox)) == (DealStatus.OPEN, 1)


async def test_a_decision_on_a_stale_version_of_the_request_is_refused():
    uow, deal = a_deal()
    request = await ask(uow, deal.id)
    with pytest.raises(PreconditionFailed):
        await bus(uow, SALES).execute(
            close_requests.approve_request, request_id=request.id, note=None, expected_version=2
        )
    assert (uow.deal(deal.id).status, uow.close_requests.rows[request.id].version) == (DealStatus.OPEN, 1)


async def test_an_unknown_deal_takes_no_request():
    uow, _ = a_deal()
    with pytest.raises(NotFound):
        await ask(uow, uuid.uuid4())
    assert uow.close_requests.rows == {}
