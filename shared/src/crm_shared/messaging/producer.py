"""A producer that is replaced, never reused, once a send through it failed.

An idempotent aiokafka producer does not survive some failures: a batch that expired while the broker
was away leaves its sequence numbers out of step, and every later send fails with
OutOfOrderSequenceNumber; a fenced or unknown producer id, or an invalid state, are as final. A new
producer gets a new producer id from the broker and starts clean. Replacing it after any failed send
is cheap (one InitProducerId request) and spares telling the fatal errors from the others.
"""

import asyncio
from collections.abc import Callable

import structlog
from aiokafka import AIOKafkaProducer

from crm_shared.observability import PRODUCERS_RENEWED

log = structlog.get_logger()
CLOSE_TIMEOUT_S = 5.0


class RenewableProducer:
    def __init__(self, factory: Callable[[], AIOKafkaProducer], *, name: str) -> None:
        self._factory = factory
        self._name = name
        self._current: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    @property
    def current(self) -> AIOKafkaProducer | None:
        """The producer in use, if one is started (for checks of its settings)."""
        return self._current

    async def get(self) -> AIOKafkaProducer:
        """The started producer, made on first use or after `renew`; raises if the broker is away."""
        async with self._lock:
            if self._current is None:
                producer = self._factory()
                try:
                    await producer.start()
                except BaseException:
                    await _close(producer)
                    raise
                self._current = producer
            return self._current

    async def renew(self, error: BaseException) -> None:
        """Drop the producer a send failed on; the next `get` makes a new one."""
        async with self._lock:
            old, self._current = self._current, None
        if old is not None:
            PRODUCERS_RENEWED.labels(producer=self._name, error=type(error).__name__).inc()
            log.warning("kafka.producer.renewed", producer=self._name, error=type(error).__name__)
            await _close(old)

    async def stop(self) -> None:
        """Flush what is queued and close (a graceful stop of the process)."""
        async with self._lock:
            old, self._current = self._current, None
        if old is not None:
            await _close(old)


async def _close(producer: AIOKafkaProducer) -> None:
    """Flush and close, waiting a bounded time. Past it the stop goes on in the background: an
    idempotent producer's unacknowledged batch is retried until the broker answers, then it closes.
    What it still holds is sent again by its owner anyway (the relay republishes unmarked rows, a
    consumer retries its record), and consumers drop the duplicates."""
    stopping = asyncio.ensure_future(producer.stop())
    _closing.add(stopping)
    stopping.add_done_callback(_closed)
    try:
        await asyncio.wait_for(asyncio.shield(stopping), CLOSE_TIMEOUT_S)
    except Exception as exc:  # a producer that cannot even close must not stop its owner
        log.warning("kafka.producer.closing_in_background", error=type(exc).__name__)


_closing: set[asyncio.Future[None]] = set()  # referenced until done, or asyncio may drop them


def _closed(stopping: asyncio.Future[None]) -> None:
    _closing.discard(stopping)
    if not stopping.cancelled() and stopping.exception() is not None:
        log.warning("kafka.producer.close_failed", error=type(stopping.exception()).__name__)
