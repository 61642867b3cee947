"""Pure rules of the intake: subject prefixes and tags, classification signals, language."""

import pytest

from crm_cases.domain.mail import (
    InboundMail,
    MailKind,
    classify,
    clean_subject,
    detect_language,
    tagged_case,
    thread_candidates,
)


def mail(subject: str = "Question", sender: str = "jane@example.com", **headers: str) -> InboundMail:
    return InboundMail(sender_email=sender, sender_name=None, subject=subject, text="", headers=headers)


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        ("Re: Hello", "Hello"),
        ("RE: AW: Fwd: Hello", "Hello"),
        ("AW:Installation", "Installation"),
        ("SV: TR : Facture", "Facture"),
        ("Re[2]: Hello", "Hello"),
        ("Re: [CASE-1001] Printer down", "Printer down"),
        ("Printer down [case-1001]", "Printer down"),
        ("Regarding  the\tinvoice", "Regarding the invoice"),
        ("Tracking number", "Tracking number"),
    ],
)
def test_clean_subject_drops_reply_prefixes_and_tags(subject, clean):
    assert clean_subject(subject) == clean


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [CASE-1001] x", "CASE-1001"),
        ("x [ case-42 ]", "CASE-42"),
        ("CASE-1001", None),
        ("[#1001] printer", "CASE-1001"),
        ("Re: [#CASE-7]", "CASE-7"),
        ("[1001]", None),
    ],
)
def test_case_tag(subject, number):
    assert tagged_case(subject) == number


@pytest.mark.parametrize(
    ("headers", "subject", "kind"),
    [
        ({"auto-submitted": "auto-replied"}, "Hi", MailKind.AUTO_REPLY),
        ({"auto-submitted": "auto-generated (failure)"}, "Hi", MailKind.AUTO_REPLY),
        ({"auto-submitted": "no"}, "Hi", MailKind.CUSTOMER),
        ({"precedence": "bulk"}, "Hi", MailKind.AUTO_REPLY),
        ({"precedence": "junk"}, "Hi", MailKind.AUTO_REPLY),
        ({"precedence": "list"}, "Hi", MailKind.AUTO_REPLY),
        ({"precedence": "auto_reply"}, "Hi", MailKind.AUTO_REPLY),
        ({"x-autoreply": "yes"}, "Hi", MailKind.AUTO_REPLY),
        ({"x-autorespond": "yes"}, "Hi", MailKind.AUTO_REPLY),
        ({"x-auto-response-suppress": "All"}, "Hi", MailKind.AUTO_REPLY),
        ({}, "Out of Office: back Monday", MailKind.AUTO_REPLY),
        ({}, "Absence du bureau", MailKind.AUTO_REPLY),
        ({}, "Absent(e) jusqu'au 5 mai", MailKind.AUTO_REPLY),
        ({}, "Absence : Re: commande", MailKind.AUTO_REPLY),
        ({}, "Absence of the invoice", MailKind.CUSTOMER),
        ({}, "Automatic reply: Order 12", MailKind.AUTO_REPLY),
        ({}, "Réponse automatique : Commande", MailKind.AUTO_REPLY),
        ({"return-path": "<>"}, "Hi", MailKind.BOUNCE),
        ({"x-failed-recipients": "a@example.com"}, "Hi", MailKind.BOUNCE),
        ({"return-path": "<jane@example.com>"}, "Absent-minded question", MailKind.CUSTOMER),
    ],
)
def test_classification_signals(headers, subject, kind):
    assert classify(mail(subject, **headers)).kind is kind


def test_senders_that_are_bounces():
    assert classify(mail(sender="MAILER-DAEMON@example.com")).kind is MailKind.BOUNCE
    assert classify(mail("Undeliverable: x", sender="postmaster@example.com")).kind is MailKind.BOUNCE
    # postmaster writes real mail too
    assert classify(mail("Please enjoy this link", sender="postmaster@example.com")).kind is MailKind.CUSTOMER


def test_reports_are_bounces_whatever_the_sender():
    receipt = InboundMail(
        sender_email="joe@example.com",
        sender_name=None,
        subject="Read: hello",
        text="",
        content_type="multipart/report",
        report_type="disposition-notification",
    )
    verdict = classify(receipt)
    assert verdict.kind is MailKind.BOUNCE
    assert verdict.reason == "read receipt (disposition notification)"
    assert classify(mail(), envelope_sender="").kind is MailKind.BOUNCE
    assert classify(mail(), envelope_sender="jane@example.com").kind is MailKind.CUSTOMER


def test_thread_candidates_prefer_in_reply_to_then_newest_reference():
    reply = InboundMail(
        sender_email="a@example.com",
        sender_name=None,
        subject="Re: x",
        text="",
        message_id="<self@x>",
        in_reply_to=("<b@x>",),
        references=("<a@x>", "<b@x>", "<c@x>", "<self@x>"),
    )
    assert thread_candidates(reply) == ("<b@x>", "<c@x>", "<a@x>")


def test_language():
    assert detect_language(mail("Question", **{"content-language": "fr-FR"})) == "fr"
    assert detect_language(mail("Bonjour, votre facture de mars")) == "fr"
    assert detect_language(mail("Hello, your invoice")) == "en"
    assert detect_language(mail("Facture")) == "en"


def test_an_acknowledgement_message_id_names_its_case_and_nothing_else_does():
    from uuid import uuid4

    from crm_cases.domain.mail import acknowledged_case, acknowledgement_message_id

    case_id = uuid4()
    assert acknowledged_case(acknowledgement_message_id(case_id)) == case_id
    assert acknowledged_case(f"<{case_id}@customer.example>") is None
    assert acknowledged_case(f"<ack.{case_id}@elsewhere.example>") is None
    assert acknowledged_case("<ack.not-a-uuid@ack.crm-cases.local>") is None
