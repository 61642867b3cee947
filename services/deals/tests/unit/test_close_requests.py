"""The close request's rules: who may be asked what, and when Sales may approve."""

import uuid

import pytest

from crm_deals.domain import events
from crm_deals.domain.close_requests import (
    CloseOutcome,
    CloseRequest,
    CloseRequestStatus,
    SignedAmountMismatch,
)
from crm_deals.domain.model import Deal, Pipeline, Stage, StageKind
from crm_deals.service_layer.integration_events import translate
from crm_shared.errors import Conflict, InvalidInput


def pipeline() -> Pipeline:
    kinds = [("Open", 10, StageKind.OPEN), ("Won", 100, StageKind.WON), ("Lost", 0, StageKind.LOST)]
    return Pipeline(
        id=uuid.uuid4(),
        name="Default",
        currency="EUR",
        stages=tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(kinds)),
    )


PIPELINE = pipeline()


def deal(amount: int = 100_000) -> Deal:
    opened = Deal.open(
        pipeline=PIPELINE, title="Site", amount_minor=amount, currency="EUR", owner_id="sales-1", by="sales-1"
    )
    opened.pull_events()
    return opened


def win_request(d: Deal, signed: int = 100_000, currency: str | None = None) -> CloseRequest:
    return CloseRequest.submit(
        deal=d, outcome=CloseOutcome.WON, by="csm-1", signed_amount_minor=signed, currency=currency
    )


def test_a_win_request_records_the_request_with_both_amounts():
    d = deal(amount=120_000)
    request = win_request(d, signed=100_000)
    assert request.status is CloseRequestStatus.PENDING
    assert request.currency == "EUR"
    [requested] = request.pull_events()
    assert isinstance(requested, events.DealCloseRequested)
    assert (requested.amount_minor, requested.signed_amount_minor) == (120_000, 100_000)
    assert (requested.outcome, requested.requested_by, requested.owner_id) == ("won", "csm-1", "sales-1")
    [published] = list(translate(requested))
    assert published.event_type == "crm.deals.deal_close_requested.v1"


@pytest.mark.parametrize(
    ("outcome", "signed", "reason", "field"),
    [
        (CloseOutcome.WON, None, None, "signed_amount_minor"),
        (CloseOutcome.WON, -1, None, "signed_amount_minor"),
        (CloseOutcome.WON, 10, "budget", "reason"),
        (CloseOutcome.LOST, None, None, "reason"),
        (CloseOutcome.LOST, None, "   ", "reason"),
    ],
)
def test_what_each_outcome_needs(outcome, signed, reason, field):
    with pytest.raises(InvalidInput) as refused:
        CloseRequest.submit(
            deal=deal(), outcome=outcome, by="csm-1", signed_amount_minor=signed, reason=reason
        )
    assert refused.value.extra["errors"][0]["field"] == field


def test_a_loss_needs_no_signed_amount():
    request = CloseRequest.submit(deal=deal(), outcome=CloseOutcome.LOST, by="csm-1", reason=" budget ")
    assert request.reason == "budget"
    assert request.signed_amount_minor is None


def test_only_open_deals_take_requests():
    d = deal()
    d.win(pipeline=PIPELINE, by="sales-1")
    with pytest.raises(Conflict) as refused:
        win_request(d)
    assert refused.value.code == "deal_closed"


def test_approving_a_win_is_refused_while_the_amounts_differ():
    d = deal(amount=120_000)
    request = win_request(d, signed=100_000)
    request.pull_events()
    with pytest.raises(SignedAmountMismatch) as refused:
        request.approve(deal=d, by="sales-1")
    assert refused.value.status == 409
    assert refused.value.extra["signed_amount_minor"] == 100_000
    assert refused.value.extra["deal_amount_minor"] == 120_000
    assert request.status is CloseRequestStatus.PENDING
    assert request.pull_events() == []


def test_a_different_currency_is_a_different_amount():
    d = deal(amount=100_000)
    with pytest.raises(SignedAmountMismatch):
        win_request(d, currency="USD").approve(deal=d, by="sales-1")


def test_once_the_deal_amount_is_corrected_the_win_is_approved():
    d = deal(amount=120_000)
    request = win_request(d, signed=100_000)
    request.pull_events()
    d.update({"amount_minor": 100_000}, by="sales-1")
    request.approve(deal=d, by="sales-1", note="ok")
    assert (request.status, request.decided_by, request.decision_note) == ("approved", "sales-1", "ok")
    [decided] = request.pull_events()
    assert isinstance(decided, events.DealCloseRequestDecided)
    assert (decided.decision, decided.outcome, decided.requested_by) == ("approved", "won", "csm-1")
    assert decided.amount_minor == decided.signed_amount_minor == 100_000


def test_a_loss_is_approved_whatever_its_signed_amount():
    d = deal(amount=120_000)
    request = CloseRequest.submit(
        deal=d, outcome=CloseOutcome.LOST, by="support-1", signed_amount_minor=1, reason="budget"
    )
    request.approve(deal=d, by="sales-1")
    assert request.status is CloseRequestStatus.APPROVED


def test_rejecting_needs_a_note_and_tells_the_requester():
    d = deal()
    request = win_request(d)
    request.pull_events()
    with pytest.raises(InvalidInput):
        request.reject(deal=d, by="sales-1", note="  ")
    assert request.status is CloseRequestStatus.PENDING
    request.reject(deal=d, by="sales-1", note="wrong offer attached")
    [decided] = request.pull_events()
    assert (decided.decision, decided.note, decided.requested_by) == (
        "rejected",
        "wrong offer attached",
        "csm-1",
    )


def test_a_decided_request_cannot_be_decided_again():
    d = deal()
    request = win_request(d)
    request.reject(deal=d, by="sales-1", note="no")
    for decide in (
        lambda: request.approve(deal=d, by="sales-1"),
        lambda: request.reject(deal=d, by="sales-1", note="again"),
        lambda: request.cancel(by="csm-1"),
    ):
        with pytest.raises(Conflict) as refused:
            decide()
        assert refused.value.code == "close_request_decided"


def test_a_request_on_a_deal_closed_meanwhile_is_not_approved():
    d = deal()
    request = win_request(d)
    d.win(pipeline=PIPELINE, by="sales-1")
    with pytest.raises(Conflict) as refused:
        request.approve(deal=d, by="sales-1")
    assert refused.value.code == "deal_closed"


def test_cancelling_records_no_event():
    request = win_request(deal())
    request.pull_events()
    request.cancel(by="csm-1")
    assert request.status is CloseRequestStatus.CANCELLED
    assert request.decided_by == "csm-1"
    assert request.pull_events() == []
