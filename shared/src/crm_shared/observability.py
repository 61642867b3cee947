"""Prometheus metrics shared by the services (exposed at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

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
