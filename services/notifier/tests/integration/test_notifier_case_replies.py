"""Agents' replies on Kafka -> one mail each, with exactly the threading cases gave it; internal notes
and customers' messages never go out; bouncing addresses are skipped."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from crm_notifier.domain.model import Draft, Notification
from crm_shared.events import EventContext
from crm_shared.events.cases import CaseMessageAdded, CaseOpened, CaseStatusChanged, MailAddressBounced
from crm_shared.testing.publish import publish_event

pytestmark = pytest.mark.integration


def customer() -> str:
    return f"ada-{uuid4().hex[:8]}@analytical.example"


def agent_reply(**overrides: Any) -> CaseMessageAdded:
    address = overrides.pop("requester_email", None) or customer()
    values: dict[str, Any] = {
        "case_id": uuid4(),
        "number": "CASE-2001",
        "case_message_id": uuid4(),
        "direction": "outbound",
        "visibility": "public",
        "author": "carla",
        "message_id": f"<{uuid4().hex}@crm-cases.local>",
        "subject": "[CASE-2001] Printer on fire",
        "requester_email": address,
        "requester_name": "Ada Lovelace",
        "to": [address],
        "in_reply_to": "<second@analytical.example>",
        "references": ["<first@analytical.example>", "<second@analytical.example>"],
        "body_text": "Hello Ada,\n\nPlease unplug it.\n",
        "mailbox": "helpdesk@acme.example",
    }
    return CaseMessageAdded(**values | overrides)


async def stored_for(notifier: Any, recipient: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = await notifier.notifications(recipient=recipient)
    return items


async def test_an_agent_reply_goes_out_once_with_exactly_its_headers(notifier, kafka_bootstrap):
    event = agent_reply(cc=["Boss <Boss@Analytical.example>"], body_html="<p>Please <b>unplug</b> it.</p>")
    address = event.to[0]
    envelope = await publish_event(kafka_bootstrap, event)
    await publish_event(kafka_bootstrap, event, envelope=envelope)  # redelivered: the inbox drops it
    await publish_event(kafka_bootstrap, event)  # re-published as a new event: keyed on the case message
    marker = agent_reply(case_id=event.case_id)  # same partition, after the copies
    await publish_event(kafka_bootstrap, marker)
    await notifier.mails_arrived(marker.to[0])
    [mail] = await notifier.mails_arrived(address)

    assert mail["From"] == "helpdesk@acme.example"
    assert mail["To"] == f"Ada Lovelace <{address}>"
    assert mail["Cc"] == "boss@analytical.example"
    assert mail["Subject"] == "[CASE-2001] Printer on fire"
    assert mail["Message-ID"] == event.message_id
    assert mail["In-Reply-To"] == "<second@analytical.example>"
    assert mail["References"] == "<first@analytical.example> <second@analytical.example>"
    assert "Auto-Submitted" not in mail
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.replace("\r\n", "\n") == event.body_text
    assert "<b>unplug</b>" in mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [stored] = await notifier.eventually(lambda: stored_for(notifier, address))
    assert stored["template"] == "case_reply"
    assert stored["case_message_id"] == str(event.case_message_id)
    assert stored["cause_event_id"] == str(envelope.id)
    assert len(notifier.mails_to(address)) == 1


async def test_internal_notes_and_customer_messages_are_never_sent(notifier, kafka_bootstrap):
    note_to, inbound_to = customer(), customer()
    case_id = uuid4()
    note = agent_reply(case_id=case_id, direction="internal", visibility="internal", to=[note_to])
    hidden = agent_reply(case_id=case_id, visibility="internal", to=[note_to], requester_email=note_to)
    inbound = agent_reply(case_id=case_id, direction="inbound", to=[inbound_to], requester_email=inbound_to)
    for event in (note, hidden, inbound):
        await publish_event(kafka_bootstrap, event)
    marker = agent_reply(case_id=case_id)
    await publish_event(kafka_bootstrap, marker)
    await notifier.mails_arrived(marker.to[0])

    assert notifier.mails_to(note_to) == notifier.mails_to(inbound_to) == []
    assert await stored_for(notifier, note_to) == await stored_for(notifier, inbound_to) == []


async def bounce(notifier: Any, kafka_bootstrap: str, address: str, *, permanent: bool = True) -> None:
    event = MailAddressBounced(
        address=address.upper(),
        reason="550 5.1.1 no such user",
        permanent=permanent,
        bounced_at=datetime.now(UTC),
    )
    await publish_event(kafka_bootstrap, event)


async def bouncing(notifier: Any, address: str) -> dict[str, datetime]:
    async with notifier.runtime.uow(EventContext(correlation_id="test")) as uow:
        found: dict[str, datetime] = await uow.bouncing.bouncing([address], datetime.now(UTC))
        return found


async def test_a_bouncing_address_gets_no_more_mail(notifier, kafka_bootstrap):
    address, copy = customer(), customer()
    await bounce(notifier, kafka_bootstrap, address)
    await bounce(notifier, kafka_bootstrap, copy)
    [until] = (await notifier.eventually(lambda: bouncing(notifier, address), what="the bounce")).values()
    assert 29 <= (until - datetime.now(UTC)).days <= 30
    await notifier.eventually(lambda: bouncing(notifier, copy), what="the second bounce")

    opened = CaseOpened(
        case_id=uuid4(), number="CASE-2002", subject="Hi", channel="email", requester_email=address
    )
    await publish_event(kafka_bootstrap, opened)
    await publish_event(kafka_bootstrap, agent_reply(case_id=opened.case_id, to=[address]))
    other = agent_reply(cc=[copy])  # a bouncing copy is left out; the mail still goes to the customer
    await publish_event(kafka_bootstrap, other)

    skipped = await notifier.eventually(
        lambda: _with_count(stored_for(notifier, address), 2), what="both mails recorded"
    )
    assert {n["template"] for n in skipped} == {"case_acknowledgement", "case_reply"}
    assert all(n["status"] == "skipped" and f"{address} is bouncing" in n["reason"] for n in skipped)
    [mail] = await notifier.mails_arrived(other.to[0])
    assert "Cc" not in mail
    assert notifier.mails_to(address) == []


async def _with_count(found: Any, count: int) -> list[dict[str, Any]] | None:
    items: list[dict[str, Any]] = await found
    return items if len(items) >= count else None


async def test_a_mail_queued_before_the_bounce_is_skipped_when_its_turn_comes(notifier):
    address = customer()
    draft = Draft(
        template="case_reply",
        recipient=address,
        language="en",
        subject="[CASE-2003] Queued",
        body="Queued before the bounce.",
        from_address="support@crm.local",
        cause_event_id=uuid4(),
        case_message_id=uuid4(),
    )
    async with notifier.runtime.uow(EventContext(correlation_id="test")) as uow:
        now = datetime.now(UTC)
        await uow.notifications.add_once(
            Notification.to_send(draft, email=address, to_name=None, message_id="<q@x>")
        )
        await uow.bouncing.record(
            address=address, until=now.replace(year=now.year + 1), bounced_at=now, reason=None, case_id=None
        )
        await uow.commit()
    [stored] = await notifier.eventually(lambda: notifier.notifications(recipient=address, status="skipped"))
    assert "is bouncing" in stored["reason"]
    assert notifier.mails_to(address) == []


async def test_a_temporary_bounce_suppresses_nothing(notifier, kafka_bootstrap):
    address = customer()
    await bounce(notifier, kafka_bootstrap, address, permanent=False)
    event = agent_reply(to=[address])
    await publish_event(kafka_bootstrap, event)
    await notifier.mails_arrived(address)
    assert await bouncing(notifier, address) == {}


async def test_the_acknowledgement_comes_from_the_mailbox_written_to(notifier, kafka_bootstrap):
    opened = CaseOpened(
        case_id=uuid4(), number="CASE-2004", subject="Scanner", channel="email",
        requester_email=customer(), mailbox="helpdesk@acme.example", message_id="<m1@analytical.example>",
    )  # fmt: skip
    await publish_event(kafka_bootstrap, opened)
    [ack] = await notifier.mails_arrived(opened.requester_email or "")
    assert ack["From"] == "helpdesk@acme.example"
    assert ack["Subject"] == "[CASE-2004] Scanner"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == ack["References"] == "<m1@analytical.example>"


async def test_a_resolved_case_tells_the_requester_how_to_reopen(notifier, kafka_bootstrap):
    address = customer()
    changed = CaseStatusChanged(
        case_id=uuid4(), number="CASE-2005", from_status="open", to_status="resolved", changed_by="carla",
        requester_email=address, language="fr", changed_at=datetime.now(UTC),
    )  # fmt: skip
    await publish_event(kafka_bootstrap, changed)
    await publish_event(
        kafka_bootstrap, changed.model_copy(update={"from_status": "resolved", "to_status": "closed"})
    )
    [mail] = await notifier.mails_arrived(address)
    assert mail["Subject"] == "[CASE-2005] Votre demande est résolue"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "rouverte" in mail.get_content()
