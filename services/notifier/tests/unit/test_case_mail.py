"""Mail of support cases: the case tag, threading headers, addresses, bounce suppression, and the
agent's reply written as an RFC 5322 message with exactly its headers."""

import email
import email.policy
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from crm_notifier.adapters.mailer import to_email_message
from crm_notifier.domain.bounces import suppressed_until
from crm_notifier.domain.case_mail import bare_addresses, case_tag, msg_id, tagged_subject, threading_headers
from crm_notifier.domain.model import Draft, Notification, NotificationStatus
from crm_notifier.domain.templates import CASE_RESOLVED, render


@pytest.mark.parametrize(
    ("number", "subject", "expected"),
    [
        ("CASE-1042", "Printer on fire", "[CASE-1042] Printer on fire"),
        ("1042", "Printer on fire", "[CASE-1042] Printer on fire"),
        ("CASE-1042", "Re: [CASE-1042] Printer on fire", "Re: [CASE-1042] Printer on fire"),
        ("CASE-1042", "Re: [case-1042] Printer", "Re: [case-1042] Printer"),
        ("CASE-1042", "Re: [CASE-10421] Other", "[CASE-1042] Re: [CASE-10421] Other"),
        ("CASE-7", "Two\r\n lines", "[CASE-7] Two lines"),
        ("CASE-7", None, "[CASE-7]"),
    ],
)
def test_the_subject_carries_the_case_tag_once(number: str, subject: str | None, expected: str) -> None:
    assert tagged_subject(number, subject) == expected


def test_case_tags() -> None:
    assert case_tag(" CASE-1 ") == "[CASE-1]"
    assert case_tag("12") == "[CASE-12]"


def test_message_ids_are_normalised_not_invented() -> None:
    assert msg_id("<a@b.example>") == "<a@b.example>"
    assert msg_id(" a@b.example ") == "<a@b.example>"
    assert msg_id("<a@b.\r\n example>") == "<a@b.example>"
    assert msg_id("") is None
    assert msg_id(None) is None


def test_threading_headers_as_given() -> None:
    headers = threading_headers("<c@x>", ["<a@x>", "b@x", "<a@x>", "<c@x>"])
    assert headers == {"In-Reply-To": "<c@x>", "References": "<a@x> <b@x> <c@x>"}
    assert threading_headers(None, []) == {}


def test_bare_addresses() -> None:
    found = bare_addresses(["Ada <Ada@Analytical.example>", "bob@y.example", "ada@analytical.example", ""])
    assert found == ["ada@analytical.example", "bob@y.example"]


def test_a_permanent_bounce_suppresses_for_thirty_days_a_temporary_one_not_at_all() -> None:
    at = datetime(2031, 5, 4, 12, tzinfo=UTC)
    assert suppressed_until(at, permanent=True) == datetime(2031, 6, 3, 12, tzinfo=UTC)
    assert suppressed_until(at, permanent=False) is None


def reply(**changes: object) -> Notification:
    draft = Draft(
        template="case_reply",
        recipient="ada@analytical.example",
        language="en",
        subject="[CASE-1042] Printer on fire",
        body="Hello Ada,\n\nPlease unplug it.\n",
        body_html="<p>Hello Ada,</p><p>Please <b>unplug</b> it.</p>",
        from_address="helpdesk@acme.example",
        cause_event_id=uuid4(),
        headers=threading_headers("<reply-2@analytical.example>", ["<first-1@analytical.example>"]),
        case_message_id=uuid4(),
    )
    notification = Notification.to_send(
        draft,
        email="ada@analytical.example",
        to_name="Ada Lovelace",
        message_id="<case-msg-9@crm-cases.local>",
        also_to=["charles@analytical.example"],
        cc=["boss@analytical.example"],
    )
    for name, value in changes.items():
        setattr(notification, name, value)
    return notification


def test_an_agent_reply_has_exactly_its_headers() -> None:
    parsed = email.message_from_bytes(to_email_message(reply()).as_bytes(), policy=email.policy.default)
    assert parsed["From"] == "helpdesk@acme.example"
    assert parsed["To"] == "Ada Lovelace <ada@analytical.example>, charles@analytical.example"
    assert parsed["Cc"] == "boss@analytical.example"
    assert parsed["Subject"] == "[CASE-1042] Printer on fire"
    assert parsed["Message-ID"] == "<case-msg-9@crm-cases.local>"
    assert parsed["In-Reply-To"] == "<reply-2@analytical.example>"
    assert parsed["References"] == "<first-1@analytical.example>"
    assert "Auto-Submitted" not in parsed
    assert "X-Auto-Response-Suppress" not in parsed
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.get_payload()  # type: ignore[misc]
    assert text.get_content() == "Hello Ada,\n\nPlease unplug it.\n"
    assert html.get_content_type() == "text/html"
    assert "<b>unplug</b>" in html.get_content()


def test_a_reply_without_html_is_plain_text_and_without_cc() -> None:
    parsed = email.message_from_bytes(
        to_email_message(reply(body_html=None, cc=[], also_to=[])).as_bytes(), policy=email.policy.default
    )
    assert parsed.get_content_type() == "text/plain"
    assert parsed["To"] == "Ada Lovelace <ada@analytical.example>"
    assert "Cc" not in parsed


def test_the_envelope_reaches_every_recipient_and_bouncing_copies_are_left_out() -> None:
    notification = reply()
    assert notification.addresses == [
        "ada@analytical.example",
        "charles@analytical.example",
        "boss@analytical.example",
    ]
    notification.drop_recipients({"boss@analytical.example"})
    assert notification.addresses == ["ada@analytical.example", "charles@analytical.example"]


def test_a_pending_mail_to_a_bouncing_address_is_skipped_and_announced() -> None:
    notification = reply()
    notification.skip(reason="address ada@analytical.example is bouncing")
    assert notification.status is NotificationStatus.SKIPPED
    [finished] = notification.pull_events()
    assert finished.status == "skipped"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("language", "words"), [("en", "is resolved"), ("fr", "est résolue")])
def test_the_resolution_notice_names_the_case_and_how_to_reopen(language: str, words: str) -> None:
    rendered = render(CASE_RESOLVED, language, {"number": "CASE-1042"})  # type: ignore[arg-type]
    assert rendered.subject.startswith("[CASE-1042] ")
    assert words in rendered.body
    assert "[CASE-1042]" in rendered.body
