"""The intake's use cases on the in-memory unit of work, as the listeners run them (one system bus
transaction per mail): a customer's mail opens a case and says so, replies thread into it (by their
headers, the acknowledgement's Message-ID or the case tag) and reopen it, new cases go to the account's
CSM or round-robin in the mailbox's team, and a mail the database refuses is quarantined in a fresh
transaction that publishes nothing of the failed one."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from crm_cases.adapters.case_directory import KnownAccount, KnownContact
from crm_cases.adapters.intake_repository import Mailbox
from crm_cases.domain.intake_policy import IntakeState
from crm_cases.domain.mail import acknowledgement_message_id
from crm_cases.domain.model import CaseStatus, IntakeOutcome
from crm_cases.domain.sla import SlaTarget
from crm_cases.service_layer import intake_guard
from crm_cases.service_layer.case_commands import change_status
from crm_cases.service_layer.intake_guard import take_in
from crm_shared.auth import Principal, Role
from crm_shared.events.cases import (
    CaseAssigned,
    CaseMessageAdded,
    CaseOpened,
    CaseStatusChanged,
    InboundMailRejected,
)
from services.cases.tests.unit.fakes import MAILBOX, bus, take_in_mail

AGENT = Principal(user_id="agent-1", roles=frozenset({Role.SUPPORT}))


def compose(
    sender: str, subject: str = "Printer on fire", *, body: str = "Hello,\nit burns.\n", **headers: str
):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, MAILBOX, subject
    message["Message-ID"] = headers.pop("message_id", f"<{uuid4()}@customer.example>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


async def test_a_customers_mail_opens_a_case_and_publishes_it_once(uow):
    raw = compose("Ada Lovelace <Ada@Customer.example>", message_id="<first@customer.example>")
    result = await take_in_mail(uow, raw)

    assert (result.outcome, result.state) == (IntakeOutcome.CASE_OPENED, IntakeState.ACCEPTED)
    [opened] = uow.published(CaseOpened)
    assert (opened.case_id, opened.number, opened.channel) == (result.case.id, "CASE-1001", "email")
    assert (opened.requester_email, opened.requester_name) == ("ada@customer.example", "Ada Lovelace")
    assert (opened.subject, opened.mailbox, opened.message_id) == (
        "Printer on fire",
        MAILBOX,
        "<first@customer.example>",
    )
    assert opened.unknown_contact
    assert opened.acknowledgement_message_id == acknowledgement_message_id(opened.case_id)
    assert uow.published(CaseMessageAdded) == []  # the first mail is part of the opening
    [raw_kept] = uow.raw_messages.rows
    assert (raw_kept.raw, uow.intake.records[raw_kept.id].state) == (raw, IntakeState.ACCEPTED)

    again = await take_in_mail(uow, raw)  # the same delivery, redelivered
    assert again.outcome is None
    assert (len(uow.published(CaseOpened)), len(uow.raw_messages.rows)) == (1, 1)


@pytest.mark.parametrize("threading", ["in_reply_to", "acknowledgement", "subject_tag"])
async def test_a_reply_threads_into_its_case(uow, threading):
    opened = (
        await take_in_mail(uow, compose("ada@customer.example", message_id="<q@customer.example>"))
    ).case
    [announced] = uow.published(CaseOpened)
    headers = {
        "in_reply_to": {"In_Reply_To": "<q@customer.example>"},
        "acknowledgement": {"In_Reply_To": announced.acknowledgement_message_id},
        "subject_tag": {},
    }[threading]
    subject = f"Re: [{opened.number}] Printer on fire" if threading == "subject_tag" else "Re: hi"

    reply = await take_in_mail(
        uow, compose("ada@customer.example", subject, body="Still burning.\n", **headers)
    )

    assert (reply.outcome, reply.case.id) == (IntakeOutcome.APPENDED, opened.id)
    [added] = uow.published(CaseMessageAdded)
    assert (added.case_id, added.direction, added.visibility, added.reopened) == (
        opened.id,
        "inbound",
        "public",
        False,
    )
    assert added.body_text is None  # inbound mail is never published with its body
    assert len(uow.cases.rows) == 1


async def test_a_stranger_quoting_a_case_tag_gets_a_case_of_their_own(uow):
    opened = (await take_in_mail(uow, compose("ada@customer.example"))).case
    other = await take_in_mail(uow, compose("mallory@elsewhere.example", f"[{opened.number}] mine now"))
    assert other.outcome is IntakeOutcome.CASE_OPENED
    assert other.case.id != opened.id
    assert len(uow.published(CaseOpened)) == 2


@pytest.mark.parametrize("status", [CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED])
async def test_a_customer_reply_reopens_a_case_waiting_or_done(uow, status):
    case = (await take_in_mail(uow, compose("ada@customer.example", message_id="<q@customer.example>"))).case
    await bus(uow, AGENT).execute(
        change_status, case_id=case.id, status=status, reason=None, expected_version=None
    )

    await take_in_mail(uow, compose("ada@customer.example", "Re: hi", In_Reply_To="<q@customer.example>"))

    assert uow.cases.rows[case.id].status is CaseStatus.OPEN
    [added] = uow.published(CaseMessageAdded)
    assert added.reopened
    reopened = uow.published(CaseStatusChanged)[-1]
    assert (reopened.from_status, reopened.to_status, reopened.changed_by) == (status, "open", "customer")


async def test_a_reply_to_a_case_closed_long_ago_opens_a_linked_follow_up(uow):
    case = (await take_in_mail(uow, compose("ada@customer.example", message_id="<q@customer.example>"))).case
    case.change_status(CaseStatus.CLOSED, by="agent-1", at=datetime.now(UTC) - timedelta(days=30))
    await uow.cases.update(case)  # closed a month ago

    follow_up = await take_in_mail(
        uow, compose("ada@customer.example", "Re: hi", In_Reply_To="<q@customer.example>")
    )

    assert follow_up.case.id != case.id
    assert uow.cases.rows[case.id].status is CaseStatus.CLOSED
    assert uow.published(CaseOpened)[-1].related_case_id == case.id
    assert await uow.cases.links(follow_up.case.id) == [(case.id, "follow_up")]


async def test_a_known_contacts_case_goes_to_the_accounts_csm_with_its_sla(uow):
    account = KnownAccount(id=uuid4(), name="Analytical Engines", csm_id="csm-7", team="emea")
    contact = KnownContact(
        id=uuid4(),
        last_name="Lovelace",
        language="fr",
        account_id=account.id,
        emails=("ada@customer.example",),
    )
    await uow.directory.save_account(account)
    await uow.directory.save_contact(contact)
    uow.case_settings.targets["normal"] = SlaTarget("normal", 60, 480)

    opened = (await take_in_mail(uow, compose("ADA@customer.example"))).case

    [announced] = uow.published(CaseOpened)
    assert (announced.account_id, announced.contact_ids, announced.unknown_contact) == (
        account.id,
        [contact.id],
        False,
    )
    assert (announced.language, announced.team, announced.assignee_id) == ("fr", "emea", "csm-7")
    assert announced.first_response_due_at == announced.opened_at + timedelta(minutes=60)
    [assigned] = uow.published(CaseAssigned)
    assert (assigned.case_id, assigned.to_assignee, assigned.rule) == (opened.id, "csm-7", "account_csm")


async def test_unknown_senders_go_round_robin_in_the_mailboxs_team(uow):
    await uow.intake.put_mailbox(Mailbox(MAILBOX, "support-fr", datetime.now(UTC)))
    uow.case_settings.members["support-fr"] = ["ann", "bob"]

    for n in range(3):
        await take_in_mail(uow, compose(f"customer{n}@example.com"))

    assigned = uow.published(CaseAssigned)
    assert [(a.to_assignee, a.rule, a.team) for a in assigned] == [
        ("ann", "round_robin", "support-fr"),
        ("bob", "round_robin", "support-fr"),
        ("ann", "round_robin", "support-fr"),
    ]


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(intake_guard, "BACKOFF_S", 0.0)


def refused(error: asyncpg.PostgresError) -> DBAPIError:
    return DBAPIError("INSERT INTO case_messages ...", None, error)


@pytest.mark.usefixtures("no_backoff")
async def test_a_mail_the_database_refuses_is_quarantined_and_nothing_of_the_failed_intake_leaks(uow):
    uow.refuse["Refused"] = [refused(asyncpg.CharacterNotInRepertoireError('invalid byte in "secret"'))]
    raw = compose("ada@customer.example", "Refused")

    result = await take_in(bus(uow), raw=raw, mailbox=MAILBOX, source="webhook")

    assert (result.outcome, result.state) == (IntakeOutcome.REJECTED, IntakeState.QUARANTINED)
    assert result.reason == "the intake failed: CharacterNotInRepertoireError (SQLSTATE 22021)"
    assert (uow.commits, uow.rollbacks) == (1, 1)
    assert (uow.cases.rows, uow.published(CaseOpened)) == ({}, [])  # the failed transaction left nothing
    [rejected] = uow.published(InboundMailRejected)
    assert (rejected.raw_message_id, rejected.source, rejected.reason) == (
        result.raw_message_id,
        "webhook",
        result.reason,
    )
    [kept] = uow.raw_messages.rows
    assert (kept.raw, uow.intake.records[kept.id].state) == (raw, IntakeState.QUARANTINED)


@pytest.mark.usefixtures("no_backoff")
async def test_a_passing_fault_is_retried_and_the_case_opened_once(uow):
    uow.refuse["Busy"] = [refused(asyncpg.DeadlockDetectedError("deadlock"))]

    result = await take_in(
        bus(uow), raw=compose("ada@customer.example", "Busy"), mailbox=MAILBOX, source="smtp"
    )

    assert result.outcome is IntakeOutcome.CASE_OPENED
    assert (uow.commits, uow.rollbacks, len(uow.published(CaseOpened))) == (1, 1, 1)
    assert uow.published(InboundMailRejected) == []
