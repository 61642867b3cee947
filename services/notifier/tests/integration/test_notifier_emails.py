"""DealWon and CaseOpened on Kafka -> emails at a real SMTP server, once, and NotificationSent."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from crm_notifier.bootstrap import mail_defaults
from crm_notifier.service_layer import use_cases
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.events.cases import CaseOpened
from crm_shared.events.deals import DealWon
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import auth_headers

pytestmark = pytest.mark.integration

ADMIN = auth_headers("admin-1", Role.ADMIN)

SENT = "crm.notifier.notification_sent.v1"


def deal_won(**overrides: Any) -> DealWon:
    values: dict[str, Any] = {
        "deal_id": uuid4(),
        "title": "Analytical engine",
        "amount_minor": 1_500_000,
        "currency": "EUR",
        "owner_id": f"sales-{uuid4().hex[:8]}",
        "csm_id": f"csm-{uuid4().hex[:8]}",
        "from_stage": uuid4(),
        "to_stage": uuid4(),
        "won_at": datetime(2031, 5, 4, 15, 30, tzinfo=UTC),
        "won_by": "sales-1",
    }
    return DealWon(**values | overrides)


def case_opened(**overrides: Any) -> CaseOpened:
    values: dict[str, Any] = {
        "case_id": uuid4(),
        "number": "CASE-1001",
        "subject": "Printer on fire",
        "channel": "email",
        "requester_email": f"ada-{uuid4().hex[:8]}@analytical.example",
        "requester_name": "Ada Lovelace",
        "language": "en",
        "message_id": f"<{uuid4().hex}@analytical.example>",
    }
    return CaseOpened(**values | overrides)


async def test_deal_won_emails_the_csm_and_the_owner(notifier, kafka_bootstrap):
    won = deal_won(title="Website redesign")
    await notifier.put_recipient(won.csm_id, f"{won.csm_id}@agency.example", "fr", name="Bruno")
    await notifier.put_recipient(won.owner_id, f"{won.owner_id}@agency.example", "en")
    async with EventProbe(kafka_bootstrap, "crm.notifier.events") as probe:
        envelope = await publish_event(kafka_bootstrap, won)
        [to_csm] = await notifier.mails_arrived(f"{won.csm_id}@agency.example")
        [to_owner] = await notifier.mails_arrived(f"{won.owner_id}@agency.example")
        sent = await probe.wait_for(SENT, lambda p: p["cause_event_id"] == str(envelope.id))

    assert to_csm["Subject"] == "Affaire gagnée : Website redesign"
    assert to_csm["To"] == f"Bruno <{won.csm_id}@agency.example>"
    assert "15\u202f000,00\u00a0EUR" in to_csm.get_content()
    assert "4 mai 2031" in to_csm.get_content()
    assert to_owner["Subject"] == "Deal won: Website redesign"
    assert "EUR 15,000.00" in to_owner.get_content()
    assert to_owner["From"] == "CRM <no-reply@crm.local>"
    assert to_owner["Auto-Submitted"] == "auto-generated"
    assert sent.payload["status"] == "sent"
    assert sent.payload["template"] == "deal_won"
    assert sent.payload["message_id"] in {to_csm["Message-ID"], to_owner["Message-ID"]}
    assert sent.headers["causation_id"] == str(envelope.id)
    [stored] = await notifier.notifications(recipient=won.owner_id)
    assert stored["status"] == "sent"
    assert stored["attempts"] == 1
    assert stored["cause_event_id"] == str(envelope.id)
    assert stored["message_id"] == to_owner["Message-ID"]


async def test_a_redelivered_deal_won_sends_one_email(notifier, kafka_bootstrap):
    won = deal_won(csm_id=None)
    address = f"{won.owner_id}@agency.example"
    await notifier.put_recipient(won.owner_id, address, "en")
    envelope = await publish_event(kafka_bootstrap, won)
    await publish_event(kafka_bootstrap, won, envelope=envelope)  # the same event, delivered again
    # Same deal id, same partition, applied in order: once this one shows, the copy was handled too.
    marker = won.model_copy(update={"owner_id": f"marker-{uuid4().hex[:8]}"})
    await publish_event(kafka_bootstrap, marker)
    await notifier.eventually(lambda: notifier.notifications(recipient=marker.owner_id), what="the marker")
    await notifier.mails_arrived(address)

    # A replay that got past the inbox (say, after the inbox was pruned) is still stopped.
    async with notifier.runtime.uow(EventContext(correlation_id="replay")) as uow:
        await use_cases.notify_deal_won(
            won, uow=uow, envelope=envelope, defaults=mail_defaults(notifier.runtime.settings)
        )
        await uow.commit()

    [stored] = await notifier.notifications(recipient=won.owner_id)
    await notifier.eventually(lambda: notifier.notifications(recipient=won.owner_id, status="sent"))
    assert len(notifier.mails_to(address)) == 1
    assert stored["cause_event_id"] == str(envelope.id)


async def test_a_user_without_an_address_is_skipped(notifier, kafka_bootstrap):
    won = deal_won(csm_id=None)
    async with EventProbe(kafka_bootstrap, "crm.notifier.events") as probe:
        envelope = await publish_event(kafka_bootstrap, won)
        skipped = await probe.wait_for(SENT, lambda p: p["cause_event_id"] == str(envelope.id))
    assert skipped.payload["status"] == "skipped"
    assert skipped.payload["message_id"] is None
    [stored] = await notifier.notifications(recipient=won.owner_id)
    assert stored["status"] == "skipped"
    assert stored["reason"] == f"no address for user {won.owner_id}"


async def test_case_opened_sends_a_threaded_acknowledgement(notifier, kafka_bootstrap):
    case = case_opened()
    await publish_event(kafka_bootstrap, case)
    [ack] = await notifier.mails_arrived(case.requester_email or "")

    assert ack["Subject"] == "[CASE-1001] Printer on fire"
    assert ack["From"] == "support@crm.local"
    assert ack["To"] == f"Ada Lovelace <{case.requester_email}>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["In-Reply-To"] == case.message_id
    assert ack["References"] == case.message_id
    assert ack["Message-ID"].endswith("@crm.local>")
    body = ack.get_content()
    assert body.startswith("Hello Ada Lovelace,")
    assert "registered under the number CASE-1001" in body


async def test_case_acknowledgement_in_french(notifier, kafka_bootstrap):
    case = case_opened(number="CASE-1002", subject="Imprimante en feu", language="fr", message_id=None)
    await publish_event(kafka_bootstrap, case)
    [ack] = await notifier.mails_arrived(case.requester_email or "")
    assert ack["Subject"] == "[CASE-1002] Imprimante en feu"
    assert "In-Reply-To" not in ack
    assert "Nous avons bien reçu votre demande" in ack.get_content()


async def test_a_case_without_requester_address_is_skipped(notifier, kafka_bootstrap):
    case = case_opened(requester_email=None, number="CASE-1003")
    await publish_event(kafka_bootstrap, case)
    [stored] = await notifier.eventually(lambda: notifier.notifications(recipient=f"case:{case.case_id}"))
    assert stored["status"] == "skipped"
    assert stored["template"] == "case_acknowledgement"
    assert "CASE-1003" in stored["reason"]


async def test_the_directory_and_history_are_for_administrators(notifier):
    sales = auth_headers("sales-1", Role.SALES)
    response = await notifier.http.put("/v1/recipients/u-1", json={"email": "u@x.example"}, headers=sales)
    assert response.status_code == 403
    assert (await notifier.http.get("/v1/notifications", headers=sales)).status_code == 403
    assert (await notifier.http.get("/v1/recipients/u-1", headers=ADMIN)).status_code == 404

    bad = await notifier.http.put(
        "/v1/recipients/u-1", json={"email": "nope", "language": "de", "admin": True}, headers=ADMIN
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.email", "body.language", "body.admin"}

    await notifier.put_recipient("u-1", "u1@x.example", "fr", name="Ulysse")
    await notifier.put_recipient("u-1", "u1@y.example", "en")  # replaced whole
    got = (await notifier.http.get("/v1/recipients/u-1", headers=ADMIN)).json()
    assert got == {"user_id": "u-1", "email": "u1@y.example", "name": None, "language": "en"}


async def test_notifications_are_paginated_by_cursor(notifier):
    first = (await notifier.http.get("/v1/notifications?limit=2", headers=ADMIN)).json()
    assert len(first["items"]) == 2  # earlier tests of this module left several
    second = await notifier.http.get(
        f"/v1/notifications?limit=2&cursor={first['next_cursor']}", headers=ADMIN
    )
    seen = [n["id"] for n in first["items"] + second.json()["items"]]
    assert len(seen) == len(set(seen)) > 2
    filtered = await notifier.notifications(template="case_acknowledgement", status="skipped")
    assert filtered
    assert all(n["template"] == "case_acknowledgement" and n["status"] == "skipped" for n in filtered)
