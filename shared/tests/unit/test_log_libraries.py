"""FastStream gives its loggers handlers of their own that write straight to stdout and stderr; once
logging is configured, what it logs takes our road instead (background writer, redaction, JSON)."""

import json
import logging
import sys

from faststream._internal.logger.logging import get_logger


def test_faststream_loggers_made_after_configuration_use_the_pipeline(capture_logs):
    written = capture_logs("json")
    # What FastStream does when a broker starts: it adds a stdout handler unless one is there.
    access = get_logger(
        name="faststream.access.kafka", log_level=logging.INFO, stream=sys.stdout, fmt="%(message)s"
    )
    access.info("Received", extra={"topic": "crm.leads.events", "group_id": "crm-deals", "message_id": "42"})
    logging.getLogger("faststream").error("Kafka error occurred token=abcdefgh")

    assert [type(h).__name__ for h in access.handlers] == ["FastStreamHandler"]
    received, failed = (json.loads(line) for line in written().splitlines())
    assert received["event"] == "Received"
    assert (received["logger"], received["topic"]) == ("faststream.access.kafka", "crm.leads.events")
    assert failed["event"] == "Kafka error occurred token=[redacted]"
