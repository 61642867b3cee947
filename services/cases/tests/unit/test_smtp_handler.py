"""The SMTP handler's answers: 250 only after the commit; 451 when the mail could not be stored at all;
553 for a recipient that is no valid address."""

from aiosmtpd.smtp import Envelope

from crm_cases.entrypoints.smtp import ACCEPTED, BAD_RECIPIENT, NULL_SENDER, TRY_LATER, MailIntake

RAW = b"From: jane@example.com\r\nSubject: Hi\r\nMessage-ID: <1@example.com>\r\n\r\nHello\r\n"


class RecordingUow:
    def __init__(self, uow, *, fail_on_commit: bool = False) -> None:
        self._uow, self._fail = uow, fail_on_commit
        self.cases, self.raw_messages = uow.cases, uow.raw_messages
        self.intake, self.directory, self.case_settings = uow.intake, uow.directory, uow.case_settings
        self.publish = uow.publish
        self.committed = False

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def commit(self):
        if self._fail:
            raise ConnectionError("database went away")
        self.committed = True


def envelope(mail_from: str = "jane@example.com") -> Envelope:
    env = Envelope()
    env.mail_from, env.rcpt_tos, env.original_content = mail_from, ["Support@CRM.example"], RAW
    return env


async def test_accepted_once_committed(uow):
    seen: list[RecordingUow] = []

    def factory(context):
        seen.append(RecordingUow(uow))
        return seen[-1]

    assert await MailIntake(factory).handle_DATA(None, None, envelope()) == ACCEPTED
    assert seen[0].committed
    assert uow.raw_messages.rows[0].mailbox == "support@crm.example"


async def test_a_failed_commit_asks_the_sender_to_retry(uow):
    intake = MailIntake(lambda context: RecordingUow(uow, fail_on_commit=True))
    assert (await intake.handle_DATA(None, None, envelope())).startswith("451 ")
    assert TRY_LATER.startswith("451 ")


async def test_the_null_reverse_path_reaches_the_intake_as_empty(uow):
    intake = MailIntake(lambda context: RecordingUow(uow))
    assert await intake.handle_DATA(None, None, envelope(NULL_SENDER)) == ACCEPTED
    assert uow.raw_messages.rows[0].outcome == "ignored_bounce"


async def test_a_recipient_that_is_no_valid_address_is_refused_for_good(uow):
    intake, env = MailIntake(lambda context: RecordingUow(uow)), Envelope()
    assert (await intake.handle_RCPT(None, None, env, "help\x00@crm.example", [])) == BAD_RECIPIENT
    assert BAD_RECIPIENT.startswith("553 ")  # permanent: never retried by the sender
    assert (await intake.handle_RCPT(None, None, env, "help@crm.example", [])) == "250 OK"
    assert env.rcpt_tos == ["help@crm.example"]
