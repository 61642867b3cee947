"""Intake rules without a database: webhook signatures, loop signals, the rate limit, bounces of our
own mail, quarantine of unusable mail."""

import time
from email.message import EmailMessage

import pytest

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.domain.intake_signature import SignatureError, sign, signer, verify
from crm_cases.domain.mail import InboundMail, MailKind, classify
from crm_cases.domain.model import IntakeOutcome
from crm_shared.events.cases import InboundMailRejected, MailAddressBounced
from services.cases.tests.unit.fakes import take_in_mail

MAILBOX = "support@crm.example"


def _verify(secret: str, signature: str | None, stamp: str | None, body: bytes, now: float) -> None:
    mac = signer(secret, stamp)
    mac.update(body)
    verify(mac, signature, stamp, now=now)


def test_hmac_signature_with_timestamp():
    now = time.time()
    stamp = str(int(now))
    good = sign("k", stamp, b"body")
    _verify("k", good, stamp, b"body", now)
    for secret, signature, when, body, at in (
        ("other", good, stamp, b"body", now),  # wrong key
        ("k", good, stamp, b"bodx", now),  # body changed
        ("k", good, str(int(now) - 1), b"body", now),  # timestamp changed
        ("k", good, stamp, b"body", now + 301),  # too old: a replay
        ("k", None, stamp, b"body", now),
        ("k", good, None, b"body", now),
        ("k", good.removeprefix("sha256="), stamp, b"body", now),
    ):
        with pytest.raises(SignatureError):
            _verify(secret, signature, when, body, at)


def machine(**headers: str) -> InboundMail:
    return InboundMail("a@x.example", None, headers.pop("subject", "Hello"), "", headers=headers)


@pytest.mark.parametrize(
    "mail",
    [
        machine(**{"auto-submitted": "auto-generated"}),
        machine(precedence="junk"),
        machine(**{"x-autoreply": "yes"}),
        machine(**{"x-auto-response-suppress": "All"}),
        machine(**{"x-loop": "support@crm.example"}),
        machine(subject="Abwesenheitsnotiz: Ihre Anfrage"),
        machine(subject="Réponse automatique : absent"),
        machine(subject="Out of Office: back Monday"),
        machine(subject="En congés jusqu'au 12"),
    ],
)
def test_loop_signals_are_never_customers(mail):
    assert classify(mail).kind is MailKind.AUTO_REPLY


def test_auto_submitted_no_is_a_customer_and_own_addresses_are_not():
    assert classify(machine(**{"auto-submitted": "no"})).kind is MailKind.CUSTOMER
    own = classify(machine(), system_addresses=frozenset({"A@x.example"}))
    assert own.kind is MailKind.AUTO_REPLY


def compose(sender: str, subject: str = "Help", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, MAILBOX, subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Hello")
    return message.as_bytes()


async def test_the_rate_limit_holds_a_looping_sender(uow):
    policy = IntakePolicy(sender_rate_limit=2)
    results = [await take_in_mail(uow, compose("bot@x.example", f"n{n}"), policy=policy) for n in range(3)]
    assert [r.outcome for r in results] == [IntakeOutcome.CASE_OPENED] * 2 + [IntakeOutcome.REJECTED]
    assert results[-1].state == "quarantined"
    [event] = uow.published(InboundMailRejected)
    assert event.reason.startswith("suspected mail loop")


async def test_unusable_mail_is_quarantined_with_an_event(uow):
    result = await take_in_mail(uow, b"Subject: no sender\r\n\r\nhi", source="imap")
    assert (result.outcome, result.state) == (IntakeOutcome.REJECTED, "quarantined")
    [event] = uow.published(InboundMailRejected)
    assert (event.source, event.reason) == ("imap", "no usable sender address in From")


async def test_a_bounce_of_our_mail_marks_the_address_and_lands_on_its_case(uow, email_file):
    raw = email_file("mikel__report_530.eml")
    report = parse_mail(raw).report
    assert report is not None
    assert report.failed_recipients == ("edwin@zzzzzzz.com",)
    original_id = report.original_message_ids[0]
    # our notification (here: any case message carrying the returned message's id)
    opened = await take_in_mail(uow, compose("c@x.example", Message_ID=original_id))
    assert opened.outcome is IntakeOutcome.CASE_OPENED
    result = await take_in_mail(uow, raw)
    assert result.outcome is IntakeOutcome.IGNORED_BOUNCE
    marked = uow.published(MailAddressBounced)
    assert marked
    assert all(e.case_id == opened.case.id for e in marked)
    assert set(uow.intake.bounced) == {e.address for e in marked} == {"edwin@zzzzzzz.com"}
    notes = [m for m in await uow.cases.messages(opened.case.id) if m.direction != "inbound"]
    assert len(notes) == 1  # attached to the case, never as a customer reply
