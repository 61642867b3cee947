"""The SMTP handler's answers: 250 only after the commit; 451 when the mail could not be stored at all;
553 for a recipient that is no valid address."""

import pytest
from aiosmtpd.smtp import Envelope

from crm_cases.entrypoints.smtp import ACCEPTED, BAD_RECIPIENT, NULL_SENDER, TRY_LATER, MailIntake
from crm_cases.service_layer import intake_guard
from crm_shared.events.cases import CaseOpened
from services.cases.tests.unit.fakes import FakeCasesUnitOfWork

RAW = b"From: jane@example.com\r\nSubject: Hi\r\nMessage-ID: <1@example.com>\r\n\r\nHello\r\n"


class DatabaseGone(FakeCasesUnitOfWork):
    async def commit(self) -> None:
        raise ConnectionError("database went away")


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(intake_guard, "BACKOFF_S", 0.0)


def envelope(mail_from: str = "jane@example.com") -> Envelope:
    env = Envelope()
    env.mail_from, env.rcpt_tos, env.original_content = mail_from, ["Support@CRM.example"], RAW
    return env


async def test_accepted_once_committed(uow):
    contexts = []

    def factory(context):
        contexts.append(context)
        return uow

    assert await MailIntake(factory).handle_DATA(None, None, envelope()) == ACCEPTED
    assert uow.commits == 1
    assert uow.raw_messages.rows[0].mailbox == "support@crm.example"
    [opened] = uow.published(CaseOpened)
    assert opened.subject == "Hi"
    assert contexts[0].correlation_id.startswith("smtp-")  # each message has its own


async def test_a_failed_commit_asks_the_sender_to_retry():
    gone = DatabaseGone()
    intake = MailIntake(lambda context: gone)
    assert (await intake.handle_DATA(None, None, envelope())).startswith("451 ")
    assert TRY_LATER.startswith("451 ")
    assert (gone.raw_messages.rows, gone.outbox) == ([], [])  # nothing kept: the sender keeps it


async def test_the_null_reverse_path_reaches_the_intake_as_empty(uow):
    intake = MailIntake(lambda context: uow)
    assert await intake.handle_DATA(None, None, envelope(NULL_SENDER)) == ACCEPTED
    assert uow.raw_messages.rows[0].outcome == "ignored_bounce"


async def test_a_recipient_that_is_no_valid_address_is_refused_for_good(uow):
    intake, env = MailIntake(lambda context: uow), Envelope()
    assert (await intake.handle_RCPT(None, None, env, "help\x00@crm.example", [])) == BAD_RECIPIENT
    assert BAD_RECIPIENT.startswith("553 ")  # permanent: never retried by the sender
    assert (await intake.handle_RCPT(None, None, env, "help@crm.example", [])) == "250 OK"
    assert env.rcpt_tos == ["help@crm.example"]
