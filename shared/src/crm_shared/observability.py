"""Prometheus metrics shared by the services (exposed at /metrics), and the readiness verdict."""

from prometheus_client import Counter, Gauge, Histogram


class NotReady(Exception):
    """Raised by a readiness check; its message is shown as is on /readyz, so it names no secret."""


HTTP_LATENCY = Histogram(
    "crm_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route", "status"],
)
EVENTS_HANDLED = Counter(
    "crm_events_handled_total", "Integration events handled by consumers", ["consumer", "outcome"]
)
CONSUMER_LAG = Gauge(
    "crm_consumer_lag", "Records behind the partition's high watermark", ["consumer", "topic", "partition"]
)
OUTBOX_PUBLISHED = Counter("crm_outbox_published_total", "Outbox rows published to Kafka")
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Outbox rows not yet published")
RELAY_LEADER = Gauge("crm_outbox_relay_leader", "1 while this process is the active outbox relay")
OUTBOX_OLDEST_AGE = Gauge(
    "crm_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none): how late the relay is",
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "crm_outbox_publish_failures_total", "Outbox batches the relay failed to publish", ["error"]
)
PRODUCERS_RENEWED = Counter(
    "crm_kafka_producers_renewed_total",
    "Kafka producers closed and replaced after a failed send",
    ["producer", "error"],
)
CONSUMER_TRANSIENT_RETRIES = Counter(
    "crm_consumer_transient_retries_total",
    "Records put back for a later retry after a transient fault (database or broker unreachable)",
    ["consumer", "error"],
)
CONSUMER_PARTITIONS_RETRYING = Gauge(
    "crm_consumer_partitions_retrying",
    "Partitions paused until their record's transient fault clears",
    ["consumer"],
)
