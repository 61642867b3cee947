"""SMTP server down: a notification is retried with backoff, then failed for good, never lost."""

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from crm_shared.events.deals import DealWon
from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.process import free_port
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.publish import publish_event

pytestmark = pytest.mark.integration


def deal_won(owner_id: str) -> DealWon:
    return DealWon(
        deal_id=uuid4(),
        title="Analytical engine",
        amount_minor=1_200_000,
        currency="EUR",
        owner_id=owner_id,
        from_stage=uuid4(),
        to_stage=uuid4(),
        won_at=datetime.now(UTC),
        won_by=owner_id,
    )


async def test_sink_down_fails_after_bounded_attempts(start_notifier, kafka_bootstrap):
    async with start_notifier(free_port(), send_max_attempts=3, send_retry_base_s=0.1) as notifier:
        await notifier.put_recipient("sales-1", "sales-1@agency.example", "en")
        async with EventProbe(kafka_bootstrap, "crm.notifier.events") as probe:
            envelope = await publish_event(kafka_bootstrap, deal_won("sales-1"))
            failed = await probe.wait_for(
                "crm.notifier.notification_sent.v1", lambda p: p["cause_event_id"] == str(envelope.id)
            )
        assert failed.payload["status"] == "failed"
        [stored] = await notifier.notifications(recipient="sales-1")
        assert stored["status"] == "failed"
        assert stored["attempts"] == 3
        assert "SMTPConnect" in stored["reason"]
        await asyncio.sleep(0.5)  # no fourth attempt
        [stored] = await notifier.notifications(recipient="sales-1")
        assert stored["attempts"] == 3


async def test_a_notification_waits_for_the_sink_to_come_back(start_notifier, kafka_bootstrap):
    port = free_port()
    sink = MailSink(port=port)
    settings = {"send_max_attempts": 50, "send_retry_base_s": 0.2, "send_retry_max_s": 0.5}
    async with start_notifier(port, sink, **settings) as notifier:
        await notifier.put_recipient("sales-2", "sales-2@agency.example", "fr")
        await publish_event(kafka_bootstrap, deal_won("sales-2"))

        async def retrying() -> bool:
            found = await notifier.notifications(recipient="sales-2", status="pending")
            return bool(found) and found[0]["attempts"] >= 2

        await notifier.eventually(retrying, what="two failed attempts")
        sink.start()
        try:
            [mail] = await notifier.mails_arrived("sales-2@agency.example")
        finally:
            sink.stop()
        assert mail["Subject"] == "Affaire gagnée : Analytical engine"
        [stored] = await notifier.eventually(
            lambda: notifier.notifications(recipient="sales-2", status="sent")
        )
        assert stored["attempts"] >= 3
        assert stored["reason"] is None
