"""What of a mail may be stored, field by field, and the null sender `<>` of the mail system: every
parsed mail, hostile or not, is free of what PostgreSQL refuses (NUL) and UTF-8 cannot hold."""

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain import mail_text
from crm_cases.domain.mail import DeliveryReport, InboundMail, MailKind, UnusableMail, classify
from services.cases.tests.unit.conftest import EMAILS

MAILS = Path(__file__).resolve().parents[1] / "data/emails"
REPLACED = "\ufffd"


def test_one_line_text_loses_every_control_character_and_lone_surrogate():
    assert (
        mail_text.line("a\x00b\tc\x1b[31md\udce9e\x7f")
        == f"a{REPLACED}b{REPLACED}c{REPLACED}[31md{REPLACED}e{REPLACED}"
    )
    assert mail_text.line("Relevé été 😀") == "Relevé été 😀"


def test_multi_line_text_keeps_its_layout():
    assert mail_text.text("a\x00b\r\n\tc\x0bd\ud800") == f"a{REPLACED}b\r\n\tc{REPLACED}d{REPLACED}"


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("ann@customer.example", True),
        ("jörg@müller.example", True),
        ('"ann smith"@customer.example', True),
        ("ann\x00@customer.example", False),
        ("ann@cust\x00omer.example", False),
        ('"ann\x00"@customer.example', False),
        ("ann\x1b@customer.example", False),
        ("ann\udce9@customer.example", False),
        ("ann", False),
    ],
)
def test_an_address_with_a_control_character_is_not_valid(address, valid):
    assert mail_text.valid_address(address) is valid


def test_a_mail_is_made_storable_and_flagged_with_the_fields_replaced():
    mail = InboundMail(
        "ann@customer.example",
        "Ann\x00",
        "Hi\x00",
        "body\x00",
        headers={"auto-submitted": "no\x00"},
        flags=("attachment dropped (a\x00.zip, 9 bytes)",),
        report=DeliveryReport(("<ok@x.example>", "<bad\x00@x.example>"), ("a@x.example", "b\x00@x.example")),
    )
    cleaned = mail_text.storable(mail)
    assert (cleaned.sender_name, cleaned.subject, cleaned.text) == (
        f"Ann{REPLACED}",
        f"Hi{REPLACED}",
        f"body{REPLACED}",
    )
    assert cleaned.report == DeliveryReport(("<ok@x.example>",), ("a@x.example",))
    assert cleaned.flags == (
        f"attachment dropped (a{REPLACED}.zip, 9 bytes)",
        "control characters replaced in sender name, subject, text, headers, delivery report",
    )
    untouched = InboundMail("ann@customer.example", "Ann", "Hi", "body\r\n\tindented")
    assert mail_text.storable(untouched) == untouched


def unstorable_strings(value: Any, path: str = "mail") -> list[str]:
    """Every string inside the parsed mail that PostgreSQL or UTF-8 would refuse."""
    if isinstance(value, str):
        bad = "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value)
        return [path] if bad else []
    if is_dataclass(value):
        return [
            p for f in fields(value) for p in unstorable_strings(getattr(value, f.name), f"{path}.{f.name}")
        ]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in unstorable_strings(v, f"{path}[{k}]")]
    if isinstance(value, tuple | list | frozenset):
        return [p for n, v in enumerate(value) for p in unstorable_strings(v, f"{path}[{n}]")]
    return []


def all_test_mails() -> list[Path]:
    return sorted(MAILS.glob("*.eml")) + (sorted(EMAILS.glob("*.eml")) if EMAILS.is_dir() else [])


@pytest.mark.parametrize("path", all_test_mails(), ids=lambda p: p.name)
def test_every_parsed_test_mail_is_storable(path):
    assert unstorable_strings(parse_mail(path.read_bytes())) == []


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER DAEMON <>",
        '"Mail Delivery System" <>',
        "<>",
        "<> (Mail Delivery System)",
        "Mail Delivery Subsystem <MAILER-DAEMON>",
        "MAILER-DAEMON",
    ],
)
def test_a_from_naming_no_mailbox_but_the_mail_system_is_a_bounce(sender):
    raw = f"From: {sender}\r\nSubject: Your message\r\nMessage-ID: <n@mx.example>\r\n\r\nIt failed.\r\n"
    mail = parse_mail(raw.encode())
    assert isinstance(mail, InboundMail)
    assert mail.sender_email == ""
    assert classify(mail).kind is MailKind.BOUNCE  # with no other signal at all


@pytest.mark.parametrize("sender", ["Ann <ann>", "<ann@>", "<>, <>", "Postmaster <postmaster>"])
def test_a_from_without_a_usable_mailbox_otherwise_stays_unusable(sender):
    assert isinstance(parse_mail(f"From: {sender}\r\n\r\nhi\r\n".encode()), UnusableMail)
