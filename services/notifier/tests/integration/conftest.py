"""A notifier per test module, against real PostgreSQL and Kafka, sending to a real SMTP sink."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, TypeVar

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from crm_notifier.bootstrap import definition
from crm_notifier.config import Settings
from crm_shared.auth import Role
from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.process import free_port
from crm_shared.messaging.kafka import ensure_topics, service_topics
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

T = TypeVar("T")
ADMIN = auth_headers("admin-1", Role.ADMIN)
CONSUMED_CONTEXTS = ("deals", "quotes", "cases")
NOTIFIER_GROUP = "crm-notifier"  # the runtime's `crm-{name}`


async def eventually(check: Callable[[], Awaitable[T | None]], timeout_s: float = 20, what: str = "") -> T:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout_s}s: {what or check}")
        await asyncio.sleep(0.1)


@dataclass
class Notifier:
    """The running service, its admin API and the mailbox it sends to."""

    service: RunningService
    sink: MailSink | None
    eventually = staticmethod(eventually)

    @property
    def http(self) -> Any:
        return self.service.http

    @property
    def runtime(self) -> Any:
        return self.service.runtime

    async def put_recipient(self, user_id: str, email: str, language: str, **extra: str) -> None:
        body = {"email": email, "language": language, **extra}
        response = await self.http.put(f"/v1/recipients/{user_id}", json=body, headers=ADMIN)
        assert response.status_code == 200, response.text

    async def notifications(self, **filters: str) -> list[dict[str, Any]]:
        params = filters | {"limit": "200"}
        response = await self.http.get("/v1/notifications", params=params, headers=ADMIN)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def mails_to(self, address: str) -> list[EmailMessage]:
        assert self.sink is not None
        return [m for m in list(self.sink.messages) if address in str(m["To"])]

    async def mails_arrived(self, address: str, count: int = 1) -> list[EmailMessage]:
        async def check() -> list[EmailMessage] | None:
            found = self.mails_to(address)
            return found if len(found) >= count else None

        return await eventually(check, what=f"{count} mail(s) to {address}")


StartNotifier = Callable[..., AbstractAsyncContextManager[Notifier]]


@pytest.fixture(scope="module")
async def kafka(kafka_bootstrap: str) -> KafkaSettings:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    # The topics consumed must exist before the consumer joins its group.
    await ensure_topics(kafka, [t for context in CONSUMED_CONTEXTS for t in service_topics(context)])
    await _start_after_earlier_modules(kafka, [f"crm.{context}.events" for context in CONSUMED_CONTEXTS])
    return kafka


async def _start_after_earlier_modules(kafka: KafkaSettings, topics: list[str]) -> None:
    """Other test modules of the session publish on these topics (hundreds of cases' and deals'
    events): the notifier's consumer group starts after them, so that this module's notifier handles
    its own events without first mailing out theirs."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers, group_id=NOTIFIER_GROUP, enable_auto_commit=False
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(topic, number)
            for topic in topics
            for number in sorted(cluster.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        await consumer.commit(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def start_notifier(kafka: KafkaSettings, make_database: Callable[[str], str]) -> StartNotifier:
    @asynccontextmanager
    async def start(
        smtp_port: int, sink: MailSink | None = None, **overrides: Any
    ) -> AsyncIterator[Notifier]:
        values: dict[str, Any] = {
            "database_url": make_database("notifier"),
            "kafka": kafka,
            "smtp_port": smtp_port,
            "smtp_timeout_s": 5.0,
            "scheduler_interval_s": 0.1,
            "send_retry_base_s": 0.1,
            "relay_poll_interval_s": 0.2,
            "consumer_retry_base_s": 0.05,
        }
        async with running_service(definition(Settings(**values | overrides))) as service:
            yield Notifier(service, sink)

    return start


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[MailSink]:
    sink = MailSink(port=free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
async def notifier(start_notifier: StartNotifier, smtp_sink: MailSink) -> AsyncIterator[Notifier]:
    async with start_notifier(smtp_sink.port, smtp_sink) as started:
        yield started
