"""Secrets, tokens and message bodies never reach a log: by field name, by the look of a value, inside
nested fields, library messages and exception messages."""

import json
import logging

import pytest
import structlog

from crm_shared.logs.redaction import REDACTED, redact_text, redact_value

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {JWT}", JWT),
        ("authorization=Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        (f"got token {JWT[:40]}", JWT[:40]),  # a piece of a token is a token
        ("postgresql+asyncpg://crm:s3cr3t-pw@db:5432/crm_leads", "s3cr3t-pw"),
        ("{'password': 'hunter2', 'user': 'bob'}", "hunter2"),
        ('{"api_key": "k-123456789"}', "k-123456789"),
        ("Cookie: session=abcdef123456; theme=dark", "session=abcdef123456"),
        ("x-api-key=AKIA1234567890", "AKIA1234567890"),
        ("client_secret=very-secret-value&grant=1", "very-secret-value"),
    ],
)
def test_credentials_in_text_are_redacted(text, secret):
    cleaned = redact_text(text)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_ordinary_text_is_left_alone():
    text = "deal 5f1c converted by sales-1 in 12.5 ms (route /v1/leads/{id}/convert)"
    assert redact_text(text) == text


def test_fields_named_like_secrets_or_bodies_are_redacted_even_nested():
    value = {
        "headers": {"Authorization": "anything", "X-Request-ID": "r-1"},
        "mail": {"subject": "Hello", "html_body": "<p>private</p>", "text": "private"},
        "items": [{"refresh_token": "abc"}, {"note": "called the customer"}],
    }
    assert redact_value(value) == {
        "headers": {"Authorization": REDACTED, "X-Request-ID": "r-1"},
        "mail": {"subject": "Hello", "html_body": REDACTED, "text": REDACTED},
        "items": [{"refresh_token": REDACTED}, {"note": REDACTED}],
    }


def test_a_record_carries_no_secret_in_fields_message_or_exception(capture_logs):
    written = capture_logs("json")
    try:
        raise ValueError(f"refused Authorization: Bearer {JWT}")
    except ValueError:
        structlog.get_logger().exception(
            "cases.reply.failed",
            password="hunter2",
            body="Dear customer, your invoice...",
            detail=f"token={JWT}",
            case_id="CASE-1042",
        )
    logging.getLogger("uvicorn.error").warning("bad header: Authorization: Bearer %s", JWT)
    output = written()
    first, second = (json.loads(line) for line in output.splitlines())
    for secret in ("hunter2", "Dear customer", JWT, JWT.split(".")[1], JWT.split(".")[2]):
        assert secret not in output
    assert first["case_id"] == "CASE-1042"
    assert first["password"] == first["body"] == REDACTED
    assert "ValueError: refused Authorization: [redacted]" in first["exception"]
    assert second["event"] == "bad header: Authorization: [redacted]"
