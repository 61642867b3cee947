"""Threading and intake rules on real test mails, with in-memory repositories (see conftest)."""

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain import events
from crm_cases.domain.mail import InboundMail, synthetic_message_id
from crm_cases.domain.model import CaseStatus, IntakeOutcome
from crm_cases.service_layer.intake import ingest_email

MAILBOX = "support@crm.example"


def compose(sender: str, subject: str, *, message_id: str | None = None, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Hello,\nsee above.\n")
    return message.as_bytes(policy=SMTP)


async def ingest(uow, raw: bytes, **kwargs):
    return await ingest_email(uow=uow, raw=raw, mailbox=MAILBOX, **kwargs)


async def test_rfc5322_thread_is_one_case_with_three_messages(uow, email_file):
    outcomes = [(await ingest(uow, email_file(f"mikel__example{n}.eml"))).outcome for n in ("01", "06", "07")]
    assert outcomes == [IntakeOutcome.CASE_OPENED, IntakeOutcome.APPENDED, IntakeOutcome.APPENDED]
    [case] = uow.cases.rows.values()
    assert case.subject == "Saying Hello"
    assert case.requester_email == "jdoe@machine.example"
    messages = await uow.cases.messages(case.id)
    assert [m.author for m in messages] == [
        "jdoe@machine.example",
        "mary@example.net",
        "jdoe@machine.example",
    ]
    assert messages[2].in_reply_to == "<3456@example.net>"
    kinds = [type(e) for e in case.pull_events()]
    assert kinds == [events.CaseOpened, events.CaseMessageAdded, events.CaseMessageAdded]


@pytest.mark.parametrize(
    "name",
    [
        "flanker__office365.eml",  # a bounce answering our mail
        "sisimai__rfc3834-03.eml",  # an iCloud vacation reply answering our mail
        "sisimai__rfc3834-05.eml",  # Auto-Submitted wins over In-Reply-To
    ],
)
async def test_machine_replies_are_never_threaded(uow, email_file, name):
    answered = parse_mail(email_file(name))
    assert isinstance(answered, InboundMail)
    assert answered.in_reply_to
    opened = await ingest(uow, compose("customer@example.com", "Help", message_id=answered.in_reply_to[0]))
    assert opened.outcome is IntakeOutcome.CASE_OPENED
    result = await ingest(uow, email_file(name))
    assert result.outcome in (IntakeOutcome.IGNORED_BOUNCE, IntakeOutcome.IGNORED_AUTO_REPLY)
    assert result.case is None
    inbound = [m for m in await uow.cases.messages(opened.case.id) if m.direction == "inbound"]
    assert len(inbound) == 1  # a bounce of our mail may be attached, as an internal message only


async def test_a_reply_to_an_unknown_message_opens_a_case(uow, email_file):
    result = await ingest(uow, email_file("imaptools__attachment_8bit.eml"))
    assert result.outcome is IntakeOutcome.CASE_OPENED


async def test_another_helpdesks_ticket_tag_is_not_ours(uow, email_file):
    result = await ingest(uow, email_file("zammad__mail005.eml"))
    assert result.outcome is IntakeOutcome.CASE_OPENED
    assert result.case.subject == "XXXX Betatest Ticket Templates [Ticket#11162]"


async def test_case_tag_threads_only_mail_from_the_requester(uow, email_file):
    opened = await ingest(uow, email_file("mikel__example01.eml"))
    number = opened.case.number
    tagged = f"AW: [{number}] Saying Hello"
    from_requester = await ingest(uow, compose("John Doe <JDoe@Machine.Example>", tagged))
    assert from_requester.outcome is IntakeOutcome.APPENDED
    assert from_requester.case.id == opened.case.id
    from_stranger = await ingest(uow, compose("mallory@example.org", tagged))
    assert from_stranger.outcome is IntakeOutcome.CASE_OPENED
    assert from_stranger.case.id != opened.case.id
    assert from_stranger.reason == f"subject tag {number}: sender is not a participant"
    assert from_stranger.case.subject == "Saying Hello"


@pytest.mark.parametrize(
    ("status", "after", "reopened"),
    [
        (CaseStatus.RESOLVED, CaseStatus.OPEN, True),
        (CaseStatus.CLOSED, CaseStatus.OPEN, True),
        (CaseStatus.PENDING_CUSTOMER, CaseStatus.OPEN, True),
        (CaseStatus.ON_HOLD, CaseStatus.ON_HOLD, False),
        (CaseStatus.NEW, CaseStatus.NEW, False),
    ],
)
async def test_a_customer_reply_reopens_a_case_waiting_or_done(uow, email_file, status, after, reopened):
    opened = await ingest(uow, email_file("mikel__example01.eml"))
    opened.case.pull_events()
    opened.case.status = status
    reply = await ingest(uow, email_file("mikel__example06.eml"))
    assert reply.case.status is after
    [added] = [e for e in reply.case.pull_events() if isinstance(e, events.CaseMessageAdded)]
    assert added.reopened is reopened
    assert added.direction == "inbound"
    assert added.message_id == "<3456@example.net>"


async def test_the_same_delivery_twice_is_stored_once(uow, email_file):
    raw = email_file("mikel__basic_email.eml")
    first, again = await ingest(uow, raw), await ingest(uow, raw)
    assert first.outcome is IntakeOutcome.CASE_OPENED
    assert again.outcome is None
    assert len(uow.raw_messages.rows) == 1
    assert len(uow.cases.rows) == 1


async def test_two_mails_reusing_a_message_id_are_both_kept(uow):
    await ingest(uow, compose("a@example.com", "First", message_id="<same@example.com>"))
    await ingest(uow, compose("a@example.com", "Second", message_id="<same@example.com>"))
    assert len(uow.raw_messages.rows) == 2


async def test_a_reply_to_a_mail_without_message_id_finds_its_case(uow, email_file):
    raw = email_file("mikel__japanese_iso_2022.eml")
    opened = await ingest(uow, raw)
    [first] = await uow.cases.messages(opened.case.id)
    assert first.message_id == synthetic_message_id(uow.raw_messages.rows[0].digest)
    assert uow.raw_messages.rows[0].message_id == ""
    reply = await ingest(uow, compose("raasdnil@gmail.com", "Re: hi", In_Reply_To=first.message_id))
    assert reply.case.id == opened.case.id


@pytest.mark.parametrize("raw", [b"", b"\x00\xff\xfe garbage \r\n\r\n", b"Subject: no sender\r\n\r\nbody"])
async def test_mail_without_a_usable_sender_is_kept_as_rejected(uow, raw):
    result = await ingest(uow, raw)
    assert result.outcome is IntakeOutcome.REJECTED
    assert result.reason
    assert uow.raw_messages.rows[0].raw == raw
    assert not uow.cases.rows


async def test_a_null_envelope_sender_marks_a_notification(uow):
    result = await ingest(uow, compose("someone@example.com", "Hello"), envelope_sender="")
    assert result.outcome is IntakeOutcome.IGNORED_BOUNCE


async def test_french_mail_opens_a_french_case(uow):
    raw = compose("client@exemple.fr", "Problème de facture", message_id="<fr@exemple.fr>")
    result = await ingest(uow, raw.replace(b"Hello,\r\nsee above.", b"Bonjour, merci de votre aide"))
    assert result.case.language == "fr"
