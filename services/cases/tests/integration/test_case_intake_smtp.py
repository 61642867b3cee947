"""Mail intake over real SMTP, PostgreSQL and Kafka: cases are opened, replies threaded, machine mail
and redeliveries stored once and nothing more, oversized mail refused, bare-LF mail read as its CRLF
twin, bounces from the null sender `<>` recognised."""

from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path
from uuid import uuid4

import aiosmtplib
import pytest
from sqlalchemy import func, select

from crm_cases.adapters.intake_tables import bounced_addresses
from crm_cases.adapters.mime import parse_mail
from crm_cases.adapters.tables import case_messages, cases, raw_messages
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_shared.auth import Role
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service, wait_listening
from services.cases.tests.integration.smtp_dialogue import close_dialogue, open_dialogue

pytestmark = pytest.mark.integration

SUPPORT = auth_headers("support-1", Role.SUPPORT)
CSM = auth_headers("csm-1", Role.CSM)
SALES = auth_headers("sales-1", Role.SALES)
MAILBOX = "support@crm.example"
TOPIC = "crm.cases.events"
OPENED, ADDED = "crm.cases.case_opened.v1", "crm.cases.case_message_added.v1"
MAX_BYTES = 64 * 1024
MAILS = Path(__file__).resolve().parents[1] / "data/emails"
BOUNCED = "crm.cases.mail_address_bounced.v1"


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("cases"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
        smtp_port=free_port(),
        smtp_max_message_bytes=MAX_BYTES,
    )
    async with running_service(definition(settings)) as running:
        await wait_listening(settings.smtp_port)
        yield running


def compose(sender: str, subject: str, body: str = "My printer is on fire.", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, MAILBOX, subject
    message["Message-ID"] = make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def send(service: RunningService, message: EmailMessage | bytes, sender: str | None = None) -> str:
    """Deliver over SMTP; `sender=""` is the null reverse path `MAIL FROM:<>` of notifications."""
    raw = message if isinstance(message, bytes) else message.as_bytes(policy=SMTP)
    envelope_from = sender if sender is not None else "customer@example.com"
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=service.runtime.settings.smtp_port) as smtp:
        _, reply = await smtp.sendmail(envelope_from, [MAILBOX], raw)
    return reply


async def count(service: RunningService, table, *where) -> int:
    async with service.runtime.engine.connect() as connection:
        query = select(func.count()).select_from(table).where(*where)
        return (await connection.execute(query)).scalar_one()


async def open_case(service: RunningService, message: EmailMessage, probe: EventProbe) -> dict:
    await send(service, message)
    event = await probe.wait_for(OPENED, lambda p: p["message_id"] == message["Message-ID"])
    return event.payload


async def test_a_mail_opens_a_case_readable_over_http(service, kafka_bootstrap):
    message = compose("Ada Lovelace <ada@customer.example>", "Printer on fire")
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, message, probe)
    assert opened["number"].startswith("CASE-")
    assert (opened["subject"], opened["channel"], opened["language"]) == ("Printer on fire", "email", "en")
    assert (opened["requester_email"], opened["requester_name"]) == ("ada@customer.example", "Ada Lovelace")
    response = await service.http.get(f"/v1/cases/{opened['case_id']}", headers=SUPPORT)
    assert response.status_code == 200, response.text
    case = response.json()
    assert (case["number"], case["status"], case["priority"]) == (opened["number"], "new", "normal")
    [first] = case["messages"]
    assert first["direction"] == "inbound"
    assert first["body_text"] == "My printer is on fire."
    assert first["message_id"] == message["Message-ID"]
    listed = await service.http.get("/v1/cases?requester_email=ADA@customer.example", headers=CSM)
    assert [c["id"] for c in listed.json()["items"]] == [opened["case_id"]]
    assert (await service.http.get("/v1/cases", headers=SALES)).status_code == 403
    assert (await service.http.get(f"/v1/cases/{opened['case_id']}", headers=SALES)).status_code == 403
    assert (await service.http.get(f"/v1/cases/{uuid4()}", headers=SUPPORT)).status_code == 404


async def test_list_filters_by_status_and_pages_by_cursor(service, kafka_bootstrap):
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        for n in range(3):
            await open_case(service, compose(f"gina{n}@customer.example", f"Question {n}"), probe)
    first = (await service.http.get("/v1/cases?status=new&limit=2", headers=SUPPORT)).json()
    cursor = first["next_cursor"]
    second = (await service.http.get(f"/v1/cases?status=new&limit=2&cursor={cursor}", headers=SUPPORT)).json()
    assert {c["status"] for c in first["items"] + second["items"]} == {"new"}
    seen = [c["id"] for c in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) >= 3
    closed = (await service.http.get("/v1/cases?status=closed", headers=SUPPORT)).json()
    assert closed == {"items": [], "next_cursor": None}
    invalid = await service.http.get("/v1/cases?status=archived", headers=SUPPORT)
    assert invalid.status_code == 422


async def test_a_reply_is_threaded_by_in_reply_to(service, kafka_bootstrap):
    original = compose("bob@customer.example", "Invoice missing")
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, original, probe)
        reply = compose(
            "bob@customer.example",
            "Re: Invoice missing",
            "Any news?",
            In_Reply_To=original["Message-ID"],
            References=original["Message-ID"],
        )
        await send(service, reply)
        added = await probe.wait_for(ADDED, lambda p: p["message_id"] == reply["Message-ID"])
    assert added.payload["case_id"] == opened["case_id"]
    assert (added.payload["direction"], added.payload["reopened"]) == ("inbound", False)
    case = (await service.http.get(f"/v1/cases/{opened['case_id']}", headers=SUPPORT)).json()
    assert [m["body_text"] for m in case["messages"]] == ["My printer is on fire.", "Any news?"]
    assert case["version"] == 2


async def test_a_reply_quoting_only_the_acknowledgement_joins_its_case(service, kafka_bootstrap):
    original = compose("dora@customer.example", "Login fails")
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, original, probe)
        acknowledgement = opened["acknowledgement_message_id"]
        assert acknowledgement.startswith("<ack.")
        # Some clients keep only the message they answer, here the notifier's acknowledgement.
        reply = compose(
            "dora@customer.example", "Re: your request", "Still failing.", In_Reply_To=acknowledgement
        )
        await send(service, reply)
        added = await probe.wait_for(ADDED, lambda p: p["message_id"] == reply["Message-ID"])
    assert added.payload["case_id"] == opened["case_id"]


async def test_a_tagged_reply_from_the_requester_is_threaded(service, kafka_bootstrap):
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, compose("carol@customer.example", "Login fails"), probe)
        tagged = f"RE: [{opened['number']}] Login fails"
        reply = compose("Carol <Carol@Customer.example>", tagged, "Still failing.")
        await send(service, reply)
        added = await probe.wait_for(ADDED, lambda p: p["message_id"] == reply["Message-ID"])
        assert added.payload["case_id"] == opened["case_id"]
        stranger = compose("mallory@elsewhere.example", tagged, "Me too.")
        await send(service, stranger)
        other = await probe.wait_for(OPENED, lambda p: p["message_id"] == stranger["Message-ID"])
    assert other.payload["case_id"] != opened["case_id"]


async def test_an_out_of_office_opens_nothing(service, kafka_bootstrap):
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, compose("dan@customer.example", "Broken link"), probe)
    before = await count(service, cases)
    out_of_office = compose(
        "dan@customer.example",
        "Automatic reply: Broken link",
        "I am away until Monday.",
        Auto_Submitted="auto-replied",
        In_Reply_To="<any@crm.example>",
    )
    assert (await send(service, out_of_office, sender="")).startswith("2.0.0")
    bounce = compose("MAILER-DAEMON@mx.customer.example", "Undelivered Mail Returned to Sender")
    await send(service, bounce, sender="")  # the null reverse path of notifications is accepted
    outcomes = await _outcomes(service, out_of_office["Message-ID"], bounce["Message-ID"])
    assert outcomes == ["ignored_auto_reply", "ignored_bounce"]
    assert await count(service, cases) == before
    case = (await service.http.get(f"/v1/cases/{opened['case_id']}", headers=SUPPORT)).json()
    assert len(case["messages"]) == 1


async def _outcomes(service: RunningService, *message_ids: str) -> list[str]:
    async with service.runtime.engine.connect() as connection:
        rows = await connection.execute(
            select(raw_messages.c.message_id, raw_messages.c.outcome).where(
                raw_messages.c.message_id.in_(message_ids)
            )
        )
        found = dict(rows.all())
    return [found.get(m, "missing") for m in message_ids]


async def test_the_same_mail_delivered_twice_is_one_raw_message_and_one_case(service):
    message = compose("erin@customer.example", "Double delivery")
    raw = message.as_bytes(policy=SMTP)
    await send(service, raw)
    await send(service, raw)
    message_id = message["Message-ID"]
    assert await count(service, raw_messages, raw_messages.c.message_id == message_id) == 1
    assert await count(service, cases, cases.c.requester_email == "erin@customer.example") == 1
    reused = compose("erin@customer.example", "Another mail, same id")
    reused.replace_header("Message-ID", message_id)
    await send(service, reused)
    assert await count(service, raw_messages, raw_messages.c.message_id == message_id) == 2


async def test_an_oversized_mail_is_refused_with_552(service):
    big = compose("frank@customer.example", "Huge", ("x" * 70 + "\n") * (MAX_BYTES // 70 + 10))
    with pytest.raises(aiosmtplib.SMTPResponseException) as declared:
        await send(service, big)  # the client declares SIZE: refused at MAIL FROM
    assert declared.value.code == 552
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=service.runtime.settings.smtp_port)
    async with smtp:
        await smtp.mail("frank@customer.example")  # no SIZE: refused at the end of DATA
        await smtp.rcpt(MAILBOX)
        with pytest.raises(aiosmtplib.SMTPDataError) as undeclared:
            await smtp.data(big.as_bytes(policy=SMTP))
    assert undeclared.value.code == 552
    assert await count(service, raw_messages, raw_messages.c.message_id == big["Message-ID"]) == 0


async def send_as_is(service: RunningService, data: bytes, sender: bytes = b"customer@example.com") -> str:
    """`data` exactly as given (aiosmtplib would turn its bare LFs into CRLF), then <CRLF>.<CRLF>."""
    dialogue = await open_dialogue(service.runtime.settings.smtp_port)
    answer = await dialogue.mail(sender, MAILBOX.encode(), data)
    await close_dialogue(dialogue)
    return answer


async def stored_raw(service: RunningService, message_id: str) -> list[bytes]:
    async with service.runtime.engine.connect() as connection:
        rows = await connection.execute(
            select(raw_messages.c.raw).where(raw_messages.c.message_id == message_id)
        )
        return [bytes(r.raw) for r in rows]


async def test_a_bare_lf_mail_of_several_kb_is_read_as_its_crlf_twin(service, kafka_bootstrap):
    bare = (MAILS / "crm__bare-lf-long.eml").read_bytes()
    twin = bare.replace(b"\n", b"\r\n")
    assert len(bare) > 8 * 1024
    assert b"\r" not in bare
    origin = compose("victor@customer.example", "Export button")
    origin.replace_header("Message-ID", "<bare-lf-origin.1@customer.example>")
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, origin, probe)
        assert (await send_as_is(service, bare)).startswith("250 ")
        added = await probe.wait_for(ADDED, lambda p: p["message_id"] == "<bare-lf.1@customer.example>")
    assert added.payload["case_id"] == opened["case_id"]  # threaded as the CRLF mail would be
    assert await stored_raw(service, "<bare-lf.1@customer.example>") == [twin + b"\r\n"]
    case = (await service.http.get(f"/v1/cases/{opened['case_id']}", headers=SUPPORT)).json()
    assert case["messages"][-1]["body_text"] == parse_mail(twin).text
    assert (await send_as_is(service, twin)).startswith("250 ")  # the twin is the same mail: stored once
    assert len(await stored_raw(service, "<bare-lf.1@customer.example>")) == 1


async def test_a_dot_line_after_a_bare_lf_never_ends_the_data(service):
    """No SMTP smuggling: `<LF>.<LF>` is a line of the mail, not its end, so the forged mail after it
    is text of the first one, never a second mail."""
    smuggling = (
        b"From: mallory@customer.example\nSubject: Smuggled\nMessage-ID: <smuggle.1@customer.example>\n\n"
        b"Hello.\n.\nMAIL FROM:<ceo@crm.example>\nRCPT TO:<support@crm.example>\nDATA\n"
        b"From: ceo@crm.example\nMessage-ID: <forged.1@crm.example>\n\nForged.\n"
    )
    assert (await send_as_is(service, smuggling)).startswith("250 ")
    [raw] = await stored_raw(service, "<smuggle.1@customer.example>")
    assert b"Hello.\r\n.\r\nMAIL FROM:<ceo@crm.example>\r\n" in raw
    assert await stored_raw(service, "<forged.1@crm.example>") == []


@pytest.mark.parametrize(
    ("name", "origin", "address"),
    [
        (
            "crm__bounce-null-sender-display-name.eml",
            "<bounce-origin.1@crm.example>",
            "gone@customer.example",
        ),
        ("crm__bounce-mail-delivery-system.eml", "<bounce-origin.2@crm.example>", "lost@elsewhere.example"),
    ],
)
async def test_a_bounce_from_the_null_sender_marks_the_address_as_bouncing(
    service, kafka_bootstrap, name, origin, address
):
    """`From: MAILER DAEMON <>` and `From: "Mail Delivery System" <>`: a bounce of the mail that
    carried `origin`, not a mail without a sender."""
    ours = compose(f"{address.split('@')[0]}-case@customer.example", "Any question")
    ours.replace_header("Message-ID", origin)
    raw = (MAILS / name).read_bytes()
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        opened = await open_case(service, ours, probe)
        assert (await send(service, raw, sender="")).startswith("2.0.0")
        bounced = await probe.wait_for(BOUNCED, lambda p: p["address"] == address)
    assert bounced.payload["case_id"] == opened["case_id"]
    assert await count(service, bounced_addresses, bounced_addresses.c.address == address) == 1
    [outcome] = await _outcomes(service, parse_mail(raw).message_id or "")
    assert outcome == "ignored_bounce"
    notes = case_messages.c.case_id == opened["case_id"], case_messages.c.direction == "internal"
    assert await count(service, case_messages, *notes) == 1  # on the case for the agents, nothing sent
