"""Notifications written as RFC 5322 messages; acknowledgement headers; addresses worth sending to."""

import email
import email.policy
from uuid import uuid4

import pytest

from crm_notifier.adapters.mailer import to_email_message
from crm_notifier.domain.model import Draft, Notification
from crm_notifier.service_layer.case_notifications import acknowledgement_headers
from crm_notifier.service_layer.notifications import is_deliverable, new_message_id


def acknowledgement(headers: dict[str, str]) -> Notification:
    draft = Draft(
        template="case_acknowledgement",
        recipient="ada@analytical.example",
        language="fr",
        subject="[CASE-1001] Imprimante en feu",
        body="Bonjour Ada,\n\nNous avons bien reçu votre demande.\n",
        from_address="support@crm.local",
        cause_event_id=uuid4(),
        headers=headers,
    )
    return Notification.to_send(
        draft, email="ada@analytical.example", to_name="Ada Lovelace", message_id="<ack-1@crm.local>"
    )


def test_the_message_round_trips_with_its_headers() -> None:
    headers = acknowledgement_headers("<original-1@mail.example>")
    raw = to_email_message(acknowledgement(headers)).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["From"] == "support@crm.local"
    assert parsed["To"] == "Ada Lovelace <ada@analytical.example>"
    assert parsed["Subject"] == "[CASE-1001] Imprimante en feu"
    assert parsed["Message-ID"] == "<ack-1@crm.local>"
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed["In-Reply-To"] == parsed["References"] == "<original-1@mail.example>"
    assert parsed["Content-Language"] == "fr"
    assert parsed.get_content_type() == "text/plain"
    assert "Nous avons bien reçu" in parsed.get_content()


def test_acknowledgement_headers_without_an_original_message() -> None:
    assert acknowledgement_headers(None) == {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    assert acknowledgement_headers("bare-id@mail.example")["In-Reply-To"] == "<bare-id@mail.example>"


def test_a_header_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValueError, match=r"linefeed|carriage"):
        to_email_message(acknowledgement({"X-Test": "a\r\nBcc: victim@example.com"}))


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("ada@analytical.example", True),
        ("ada@localhost", False),
        ("", False),
        ("undisclosed-recipients:;", False),
        ("a@b.example, c@d.example", False),
        ("Ada <ada@analytical.example>", False),
    ],
)
def test_deliverable_addresses(address: str, ok: bool) -> None:
    assert is_deliverable(address) is ok


def test_message_ids_are_unique_and_in_the_senders_domain() -> None:
    first, second = new_message_id("CRM <no-reply@crm.local>"), new_message_id("CRM <no-reply@crm.local>")
    assert first != second
    assert first.endswith("@crm.local>")
