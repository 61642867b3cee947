"""Each event the notifier consumes, through the service's handler table as the consumer applies it, on
the in-memory unit of work: what notification (or reminder) it stores, to whom, in which language, with
which headers, and when it stores none or a skipped one instead."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from crm_notifier.domain.model import NotificationStatus, Recipient, ReminderStatus
from crm_shared.events.cases import CaseMessageAdded, CaseOpened, CaseStatusChanged, MailAddressBounced
from crm_shared.events.deals import DealWon
from crm_shared.events.notifier import NotificationSent
from crm_shared.events.quotes import ContractCreated
from services.notifier.tests.unit.fakes import FakeNotifierUnitOfWork, deliver

NOW = datetime.now(UTC)


@pytest.fixture
def uow() -> FakeNotifierUnitOfWork:
    return FakeNotifierUnitOfWork()


def deal_won(**values: Any) -> DealWon:
    defaults = {
        "deal_id": uuid4(),
        "title": "Analytical engine",
        "amount_minor": 1_250_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "csm_id": "csm-1",
        "from_stage": uuid4(),
        "to_stage": uuid4(),
        "won_at": datetime(2031, 3, 14, 10, 0, tzinfo=UTC),
        "won_by": "sales-1",
    }
    return DealWon(**defaults | values)


def case_opened(**values: Any) -> CaseOpened:
    case_id = uuid4()
    defaults = {
        "case_id": case_id,
        "number": "CASE-1042",
        "subject": "Printer on fire",
        "channel": "email",
        "requester_email": "Ada@Customer.example",
        "requester_name": "Ada Lovelace",
        "language": "fr",
        "message_id": "<q@customer.example>",
        "mailbox": "helpdesk@acme.example",
        "acknowledgement_message_id": f"<ack.{case_id}@cases.crm>",
    }
    return CaseOpened(**defaults | values)


def agent_reply(**values: Any) -> CaseMessageAdded:
    defaults = {
        "case_id": uuid4(),
        "number": "CASE-1042",
        "case_message_id": uuid4(),
        "direction": "outbound",
        "visibility": "public",
        "author": "agent-1",
        "message_id": "<r1@crm.example>",
        "subject": "[CASE-1042] Printer on fire",
        "requester_email": "ada@customer.example",
        "requester_name": "Ada Lovelace",
        "to": ["ada@customer.example"],
        "cc": ["Boss <Boss@Customer.example>", "ada@customer.example"],
        "in_reply_to": "<q2@customer.example>",
        "references": ["<q@customer.example>", "<q2@customer.example>"],
        "body_text": "Please unplug it.",
        "mailbox": "helpdesk@acme.example",
    }
    return CaseMessageAdded(**defaults | values)


def bounced(address: str, *, permanent: bool = True) -> MailAddressBounced:
    return MailAddressBounced(
        address=address, case_id=uuid4(), reason="550 no such user", bounced_at=NOW, permanent=permanent
    )


async def test_a_won_deal_mails_its_csm_and_owner_once_each_in_their_language(uow):
    await uow.recipients.save(Recipient("csm-1", "csm@agency.example", "Carla", "fr"))
    await uow.recipients.save(Recipient("sales-1", "sales@agency.example", None, "en"))
    event = deal_won()

    envelope = await deliver(uow, event)
    assert await deliver(uow, event, envelope) is None  # redelivered: applied once

    csm, owner = uow.notifications.of("csm-1"), uow.notifications.of("sales-1")
    assert [(n.email, n.language, n.subject) for n in csm] == [
        ("csm@agency.example", "fr", "Affaire gagnée : Analytical engine")
    ]
    assert [(n.email, n.language, n.subject) for n in owner] == [
        ("sales@agency.example", "en", "Deal won: Analytical engine")
    ]
    assert "le 14 mars 2031, pour 12\u202f500,00\xa0EUR" in csm[0].body
    assert "on March 14, 2031, for EUR 12,500.00" in owner[0].body
    assert {n.status for n in (*csm, *owner)} == {NotificationStatus.PENDING}
    assert {n.cause_event_id for n in (*csm, *owner)} == {envelope.id}
    assert all(n.headers["Auto-Submitted"] == "auto-generated" for n in (*csm, *owner))
    assert uow.published(NotificationSent) == []  # pending ones are announced once sent


async def test_a_won_deal_for_a_user_without_address_is_recorded_as_skipped(uow):
    envelope = await deliver(uow, deal_won(csm_id=None, owner_id="nobody"))
    [skipped] = uow.notifications.of("nobody")
    assert (skipped.status, skipped.reason) == (NotificationStatus.SKIPPED, "no address for user nobody")
    [announced] = uow.published(NotificationSent)
    assert (announced.status, announced.cause_event_id) == ("skipped", envelope.id)


async def test_a_new_contract_schedules_one_renewal_reminder_for_its_csm_else_its_owner(uow):
    contract = ContractCreated(
        contract_id=uuid4(),
        deal_id=uuid4(),
        title="Hosting",
        start_date=date(2031, 1, 1),
        end_date=date(2031, 12, 31),
        budget_minor=100,
        currency="EUR",
        owner_id="sales-1",
    )
    envelope = await deliver(uow, contract)
    await deliver(uow, contract)  # announced again, as a new event: still one reminder

    [reminder] = uow.reminders.rows.values()
    assert (reminder.contract_id, reminder.recipient_id, reminder.status) == (
        contract.contract_id,
        "sales-1",
        ReminderStatus.PENDING,
    )
    assert reminder.due_at == datetime(2031, 11, 30, 8, 0, tzinfo=UTC)
    assert reminder.cause_event_id == envelope.id
    assert uow.notifications.rows == {}  # nothing is sent before it falls due


async def test_a_new_case_is_acknowledged_threaded_under_the_customers_mail(uow):
    event = case_opened()
    await deliver(uow, event)

    [ack] = uow.notifications.of("ada@customer.example")
    assert (ack.template, ack.status, ack.email, ack.to_name) == (
        "case_acknowledgement",
        NotificationStatus.PENDING,
        "Ada@Customer.example",
        "Ada Lovelace",
    )
    assert (ack.from_address, ack.language) == ("helpdesk@acme.example", "fr")
    assert ack.subject.startswith("[CASE-1042] ")
    assert ack.message_id == event.acknowledgement_message_id  # a reply quoting it finds the case
    assert ack.headers == {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "In-Reply-To": "<q@customer.example>",
        "References": "<q@customer.example>",
    }


@pytest.mark.parametrize("address", [None, "not an address", "a@b.example, c@d.example"])
async def test_a_case_without_a_deliverable_requester_gets_a_skipped_acknowledgement(uow, address):
    event = case_opened(requester_email=address)
    await deliver(uow, event)
    [ack] = uow.notifications.rows.values()
    assert (ack.status, ack.reason) == (
        NotificationStatus.SKIPPED,
        "case CASE-1042 has no deliverable requester address",
    )
    assert uow.published(NotificationSent)[0].status == "skipped"


async def test_an_agents_reply_is_queued_with_its_own_threading_and_the_copies(uow):
    event = agent_reply()
    envelope = await deliver(uow, event)
    await deliver(uow, event)  # re-published as another event: one notification per case message

    [reply] = uow.notifications.rows.values()
    assert (reply.template, reply.email, reply.to_name, reply.cc) == (
        "case_reply",
        "ada@customer.example",
        "Ada Lovelace",
        ["boss@customer.example"],  # the requester is not copied to themselves
    )
    assert (reply.message_id, reply.subject, reply.body) == (
        "<r1@crm.example>",
        "[CASE-1042] Printer on fire",
        "Please unplug it.",
    )
    assert reply.headers == {
        "In-Reply-To": "<q2@customer.example>",
        "References": "<q@customer.example> <q2@customer.example>",
    }  # a person's reply: no Auto-Submitted
    assert (reply.case_message_id, reply.cause_event_id) == (event.case_message_id, envelope.id)


@pytest.mark.parametrize(
    "values",
    [
        {"direction": "internal", "visibility": "internal", "body_text": None},
        {"direction": "inbound"},
    ],
)
async def test_internal_notes_and_customers_messages_are_never_sent(uow, values):
    await deliver(uow, agent_reply(**values))
    assert (uow.notifications.rows, uow.outbox) == ({}, [])


async def test_a_permanent_bounce_suppresses_mail_to_the_address_a_temporary_one_does_not(uow):
    await deliver(uow, bounced("Boss@Customer.example"))
    await deliver(uow, bounced("ada@customer.example", permanent=False))
    assert set(uow.bouncing.until) == {"boss@customer.example"}
    assert uow.bouncing.until["boss@customer.example"] == NOW + timedelta(days=30)

    await deliver(uow, agent_reply())
    [reply] = uow.notifications.rows.values()
    assert (reply.email, reply.cc) == ("ada@customer.example", [])  # the bouncing copy is left out

    await deliver(uow, case_opened(requester_email="boss@customer.example"))
    [ack] = uow.notifications.of("boss@customer.example")
    assert ack.status is NotificationStatus.SKIPPED
    assert ack.reason.startswith("address boss@customer.example is bouncing")


async def test_a_resolved_case_is_announced_once_to_its_requester(uow):
    def changed(before: str, after: str) -> CaseStatusChanged:
        return CaseStatusChanged(
            case_id=uuid4(),
            number="CASE-1042",
            from_status=before,
            to_status=after,
            changed_by="agent-1",
            changed_at=NOW,
            requester_email="Ada@Customer.example",
        )

    for before, after in (
        ("new", "open"),
        ("open", "resolved"),
        ("resolved", "resolved"),
        ("resolved", "closed"),
    ):
        await deliver(uow, changed(before, after))
    [notice] = uow.notifications.rows.values()
    assert (notice.template, notice.email, notice.from_address) == (
        "case_resolved",
        "ada@customer.example",
        "support@crm.local",
    )
