"""Mail that PostgreSQL cannot store as it is, over real SMTP and the real webhook: NUL bytes in the
subject, a header, the text or HTML body, a file name or the sender's address end stored (the NUL
replaced) or quarantined with the reason, never 451 or 500, the raw bytes kept as delivered; a mail
the database refuses for good is kept raw in quarantine, and re-processed once the cause is gone;
only a database that cannot be reached makes the sender try again later."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import select, text

from crm_cases.adapters.intake_tables import mail_intake
from crm_cases.adapters.tables import case_messages, raw_messages
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.intake_signature import sign
from crm_shared.auth import Role
from crm_shared.db.engine import create_engine
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service, wait_listening
from services.cases.tests.integration.smtp_dialogue import close_dialogue, open_dialogue

MEGABYTE = 1024 * 1024

pytestmark = pytest.mark.integration

MAILS = Path(__file__).resolve().parents[1] / "data/emails"
SECRET = "hostile-secret"
SUPPORT = auth_headers("support-1", Role.SUPPORT)
REPLACED = "\ufffd"
REFUSAL = "refused_for_the_test"
# file -> (outcome, the message field that shows the replaced NUL, what it reads)
NUL_MAILS: dict[str, tuple[str, str, str]] = {
    "crm__nul-in-subject.eml": ("case_opened", "subject", f"Printer{REPLACED} on fire"),
    "crm__nul-in-header.eml": ("case_opened", "author_name", f"Omar{REPLACED} Customer"),
    "crm__nul-in-text-body.eml": ("case_opened", "body_text", f"is{REPLACED} wrong: 1{REPLACED}20 EUR"),
    "crm__nul-in-html-body.eml": ("case_opened", "body_text", f"the export{REPLACED} button"),
    "crm__nul-in-attachment-name.eml": ("case_opened", "filename", f"order{REPLACED}.pdf"),
    "crm__nul-in-encoded-words.eml": ("case_opened", "subject", f"Relevé{REPLACED} vide"),
    "crm__nul-in-address.eml": ("rejected", "reason", "no usable sender address in From"),
}


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("cases_hostile"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
        smtp_port=free_port(),
        webhook_secret=SECRET,
    )
    async with running_service(definition(settings)) as running:
        await wait_listening(settings.smtp_port)
        yield running


async def smtp_send(service: RunningService, raw: bytes, mailbox: str) -> tuple[int, str]:
    port = service.runtime.settings.smtp_port
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30) as smtp:
        try:
            _, reply = await smtp.sendmail("relay@test.example", [mailbox], raw)
        except aiosmtplib.SMTPResponseException as refused:
            return refused.code, refused.message
    return 250, reply


async def webhook_post(service: RunningService, raw: bytes, mailbox: str) -> Any:
    stamp = str(int(time.time()))
    headers = {"X-Timestamp": stamp, "X-Signature": sign(SECRET, stamp, raw), "X-Mailbox": mailbox}
    return await service.http.post("/v1/inbound/mail", content=raw, headers=headers)


async def stored(service: RunningService, mailbox: str, message_id: str) -> dict[str, Any]:
    """The raw message and what the intake did with it."""
    query = (
        select(raw_messages, mail_intake.c.state, mail_intake.c.flags, case_messages.c.case_id)
        .join(mail_intake, mail_intake.c.raw_message_id == raw_messages.c.id)
        .outerjoin(case_messages, case_messages.c.raw_message_id == raw_messages.c.id)
        .where(raw_messages.c.mailbox == mailbox, raw_messages.c.message_id == message_id)
    )
    async with service.runtime.engine.connect() as connection:
        [row] = (await connection.execute(query)).all()
    return row._asdict()


async def shown(service: RunningService, row: dict[str, Any], field: str) -> str:
    """The field as the API shows it: the intake's reason, or the case message's field."""
    if field == "reason":
        return str(row["reason"])
    case = (await service.http.get(f"/v1/cases/{row['case_id']}", headers=SUPPORT)).json()
    [message] = [m for m in case["messages"] if m["message_id"] == row["message_id"]]
    return str(message["attachments"][0]["filename"] if field == "filename" else message[field])


def message_id_of(raw: bytes) -> str:
    line = next(h for h in raw.split(b"\r\n") if h.lower().startswith(b"message-id:"))
    return line.split(b":", 1)[1].strip().decode()


async def assert_kept(service: RunningService, name: str, mailbox: str) -> None:
    raw = (MAILS / name).read_bytes()
    outcome, field, reads = NUL_MAILS[name]
    row = await stored(service, mailbox, message_id_of(raw))
    assert row["raw"] == raw, f"{name}: the raw mail was not kept as delivered"
    assert row["outcome"] == outcome, f"{name}: {row['outcome']} ({row['reason']})"
    assert reads in await shown(service, row, field), name
    if outcome == "case_opened":
        assert any(f.startswith("control characters replaced in") for f in row["flags"]), name
    else:
        assert row["state"] == "quarantined"


@pytest.mark.parametrize("name", sorted(NUL_MAILS))
async def test_a_nul_byte_over_smtp_is_stored_cleaned_or_quarantined(service, name):
    code, reply = await smtp_send(service, (MAILS / name).read_bytes(), "smtp@crm.example")
    assert code == 250, f"{name}: {code} {reply}"
    await assert_kept(service, name, "smtp@crm.example")


@pytest.mark.parametrize("name", sorted(NUL_MAILS))
async def test_a_nul_byte_over_the_webhook_is_stored_cleaned_or_quarantined(service, name):
    response = await webhook_post(service, (MAILS / name).read_bytes(), "webhook@crm.example")
    assert response.status_code == 202, response.text
    assert response.json()["outcome"] == NUL_MAILS[name][0]
    await assert_kept(service, name, "webhook@crm.example")


async def test_a_recipient_with_a_nul_byte_is_refused_for_good(service):
    raw = (MAILS / "crm__nul-in-subject.eml").read_bytes()
    dialogue = await open_dialogue(service.runtime.settings.smtp_port)
    answer = await dialogue.mail(b"relay@test.example", b"sup\x00port@crm.example", raw)
    await close_dialogue(dialogue)
    assert answer.startswith("553 ")  # permanent: the sending server bounces it, never retries for days
    response = await webhook_post(service, raw, "not an address")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "header.x-mailbox"


def refused_mail(subject: str) -> bytes:
    return (
        f"From: Uma Customer <uma@customer.example>\r\nTo: support@crm.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject}@customer.example>\r\n\r\nHello.\r\n"
    ).encode()


async def test_a_mail_the_database_refuses_is_quarantined_raw_then_reprocessed(service):
    """A rule of the database (here a check added for the test) refuses the mail's case message for
    good: the mail is kept raw in quarantine, answered 250 and 202; re-processing it is refused (409)
    while the rule holds, and opens its case once the rule is gone."""
    smtp_mail, webhook_mail = refused_mail("refused-smtp"), refused_mail("refused-webhook")
    async with refusing_subjects(service, "refused-%"):
        assert (await smtp_send(service, smtp_mail, "smtp@crm.example"))[0] == 250
        answer = await webhook_post(service, webhook_mail, "webhook@crm.example")
        assert answer.status_code == 202, answer.text
        assert (answer.json()["state"], answer.json()["case_id"]) == ("quarantined", None)
        still = await service.http.post(
            f"/v1/quarantine/{answer.json()['raw_message_id']}/reprocess", headers=SUPPORT
        )
        assert still.status_code == 409, still.text
        assert still.json()["detail"].endswith("CheckViolationError (SQLSTATE 23514)")
    for mailbox, raw in (("smtp@crm.example", smtp_mail), ("webhook@crm.example", webhook_mail)):
        row = await stored(service, mailbox, message_id_of(raw))
        assert (row["raw"], row["state"]) == (raw, "quarantined")
        assert row["reason"] == "the intake failed: CheckViolationError (SQLSTATE 23514)"
        again = await service.http.post(f"/v1/quarantine/{row['id']}/reprocess", headers=SUPPORT)
        assert (again.json()["state"], again.json()["outcome"]) == ("accepted", "case_opened"), again.text


@asynccontextmanager
async def refusing_subjects(service: RunningService, pattern: str) -> AsyncIterator[None]:
    """While open, PostgreSQL refuses any case message whose subject is LIKE `pattern`."""
    check = f"ALTER TABLE case_messages ADD CONSTRAINT {REFUSAL} CHECK (subject NOT LIKE '{pattern}')"
    async with service.runtime.engine.begin() as connection:
        await connection.execute(text(check))
    try:
        yield
    finally:
        async with service.runtime.engine.begin() as connection:
            await connection.execute(text(f"ALTER TABLE case_messages DROP CONSTRAINT {REFUSAL}"))


async def test_only_an_unreachable_database_makes_the_sender_try_again(service):
    reachable = service.runtime.engine
    down = create_engine(f"postgresql+asyncpg://crm:crm@127.0.0.1:{free_port()}/crm_cases")
    raw = refused_mail("while-the-database-is-down")
    service.runtime.engine = down
    try:
        assert (await smtp_send(service, raw, "smtp@crm.example"))[0] == 451
        answer = await webhook_post(service, raw, "webhook@crm.example")
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"]
    finally:
        service.runtime.engine = reachable
        await down.dispose()
    assert (await smtp_send(service, raw, "smtp@crm.example"))[0] == 250  # the sender's retry
    assert (await webhook_post(service, raw, "webhook@crm.example")).json()["outcome"] == "case_opened"
    assert (await stored(service, "smtp@crm.example", message_id_of(raw)))["outcome"] == "case_opened"


async def test_a_bare_lf_mail_of_a_megabyte_is_accepted_as_its_crlf_twin(service):
    head = b"From: wim@customer.example\nSubject: Full log\nMessage-ID: <mb-log@customer.example>\n\n"
    lines = b"".join(b"line %06d of the export log, nothing exported\n" % n for n in range(MEGABYTE // 45))
    bare = head + lines
    assert len(bare) > MEGABYTE
    dialogue = await open_dialogue(service.runtime.settings.smtp_port)
    answer = await dialogue.mail(b"relay@test.example", b"smtp@crm.example", bare)
    await close_dialogue(dialogue)
    assert answer.startswith("250 "), answer
    row = await stored(service, "smtp@crm.example", "<mb-log@customer.example>")
    assert (row["raw"], row["outcome"]) == (bare.replace(b"\n", b"\r\n") + b"\r\n", "case_opened")
