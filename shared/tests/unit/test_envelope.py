import uuid
from datetime import UTC, datetime

import pytest

from crm_shared.events import Envelope, EnvelopeError, EventContext, event_class, topic_of
from crm_shared.events.deals import DealLost
from crm_shared.events.envelope import decode_headers, encode_headers


def deal_lost() -> DealLost:
    return DealLost(
        deal_id=uuid.uuid4(),
        title="t",
        owner_id="u",
        from_stage=uuid.uuid4(),
        to_stage=uuid.uuid4(),
        reason="budget",
        lost_at=datetime.now(UTC),
        lost_by="u",
    )


def test_envelope_round_trips_through_kafka_headers():
    event = deal_lost()
    envelope = Envelope.for_event(event, EventContext(correlation_id="req-1", causation_id="ev-0"))
    decoded = Envelope.from_headers(decode_headers(encode_headers(envelope.to_headers())))
    assert decoded == envelope
    assert decoded.type == "crm.deals.deal_lost.v1"
    assert decoded.source == "/crm/deals"
    assert decoded.subject == str(event.deal_id)
    assert envelope.id.version == 7


def test_optional_tracing_headers_are_omitted_when_unknown():
    headers = Envelope.for_event(deal_lost(), EventContext(correlation_id="c")).to_headers()
    assert "causation_id" not in headers
    assert "traceparent" not in headers
    assert headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ce_specversion": "0.3"}, "specversion"),
        ({"ce_id": "not-a-uuid"}, "malformed"),
        ({"ce_time": "yesterday"}, "malformed"),
        ({"ce_type": ""}, "missing"),
    ],
)
def test_unreadable_envelopes_are_refused(change, message):
    headers = Envelope.for_event(deal_lost(), EventContext(correlation_id="c")).to_headers() | change
    with pytest.raises(EnvelopeError, match=message):
        Envelope.from_headers(headers)


def test_non_utf8_header_is_an_envelope_error():
    with pytest.raises(EnvelopeError):
        decode_headers([("ce_id", b"\xff\xfe")])


def test_registry_and_topics():
    assert event_class("crm.deals.deal_lost.v1") is DealLost
    assert event_class("crm.deals.unknown.v1") is None
    assert topic_of("crm.quotes.contract_created.v1") == "crm.quotes.events"


def test_payloads_ignore_unknown_fields_from_newer_producers():
    payload = deal_lost().model_dump(mode="json") | {"added_in_a_later_version": 1}
    assert DealLost.model_validate(payload).reason == "budget"
