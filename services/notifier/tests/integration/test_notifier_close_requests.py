"""Close requests on Kafka -> the requester hears Sales' decision, the owner hears of the request."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from crm_shared.events.deals import DealCloseRequestDecided, DealCloseRequested
from crm_shared.testing.publish import publish_event

pytestmark = pytest.mark.integration


def decided(**overrides: Any) -> DealCloseRequestDecided:
    values: dict[str, Any] = {
        "request_id": uuid4(),
        "deal_id": uuid4(),
        "title": "Website redesign",
        "outcome": "won",
        "decision": "approved",
        "amount_minor": 1_000_000,
        "signed_amount_minor": 1_000_000,
        "currency": "EUR",
        "owner_id": f"sales-{uuid4().hex[:8]}",
        "requested_by": f"csm-{uuid4().hex[:8]}",
        "decided_by": "sales-1",
        "decided_at": datetime(2031, 5, 4, 15, 30, tzinfo=UTC),
    }
    return DealCloseRequestDecided(**values | overrides)


async def test_an_approval_is_mailed_to_the_requester_in_french(notifier, kafka_bootstrap):
    event = decided()
    address = f"{event.requested_by}@agency.example"
    await notifier.put_recipient(event.requested_by, address, "fr", name="Chloé")
    envelope = await publish_event(kafka_bootstrap, event)
    [mail] = await notifier.mails_arrived(address)
    assert mail["Subject"] == "Demande de clôture acceptée : Website redesign"
    assert mail["To"] == f"Chloé <{address}>"
    body = mail.get_content()
    assert body.startswith("Bonjour Chloé,")
    assert "(gagnée) a été acceptée le 4 mai 2031" in body
    [stored] = await notifier.notifications(recipient=event.requested_by)
    assert (stored["template"], stored["cause_event_id"]) == ("close_request_approved", str(envelope.id))
    assert await notifier.notifications(recipient=event.owner_id) == []  # the owner is not told


async def test_a_rejection_is_mailed_in_english_with_the_note(notifier, kafka_bootstrap):
    event = decided(decision="rejected", outcome="lost", note="The signed offer is for another deal")
    address = f"{event.requested_by}@agency.example"
    await notifier.put_recipient(event.requested_by, address, "en")
    await publish_event(kafka_bootstrap, event)
    [mail] = await notifier.mails_arrived(address)
    assert mail["Subject"] == "Close request rejected: Website redesign"
    body = mail.get_content()
    assert body.startswith("Hello,")
    assert "as lost was rejected on May 4, 2031." in body
    assert "Note from Sales: The signed offer is for another deal" in body


async def test_an_unknown_requester_is_skipped(notifier, kafka_bootstrap):
    event = decided()
    await publish_event(kafka_bootstrap, event)
    [stored] = await notifier.eventually(lambda: notifier.notifications(recipient=event.requested_by))
    assert stored["status"] == "skipped"
    assert stored["reason"] == f"no address for user {event.requested_by}"


async def test_the_owner_hears_of_a_request_with_both_amounts(notifier, kafka_bootstrap):
    requester, owner = f"csm-{uuid4().hex[:8]}", f"sales-{uuid4().hex[:8]}"
    await notifier.put_recipient(requester, f"{requester}@agency.example", "en", name="Chloé Martin")
    await notifier.put_recipient(owner, f"{owner}@agency.example", "en")
    event = DealCloseRequested(
        request_id=uuid4(),
        deal_id=uuid4(),
        title="Hosting",
        outcome="won",
        amount_minor=1_200_000,
        signed_amount_minor=1_000_000,
        currency="EUR",
        owner_id=owner,
        requested_by=requester,
        requested_at=datetime(2031, 5, 4, tzinfo=UTC),
    )
    await publish_event(kafka_bootstrap, event)
    [mail] = await notifier.mails_arrived(f"{owner}@agency.example")
    assert mail["Subject"] == "Close request: Hosting (won)"
    body = mail.get_content()
    assert "Chloé Martin asks to close the deal" in body
    assert "Signed amount: EUR 10,000.00 (deal amount: EUR 12,000.00" in body
    assert notifier.mails_to(f"{requester}@agency.example") == []
