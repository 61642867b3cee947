"""W3C trace context: a valid `traceparent` is continued, anything else starts a new trace."""

import re

import pytest

from crm_shared import tracing

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SHAPE = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def test_a_valid_traceparent_is_continued_with_a_span_of_ours():
    continued = tracing.parse(tracing.continue_or_start(VALID))
    assert continued is not None
    assert continued.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert continued.span_id != "00f067aa0ba902b7"
    assert continued.flags == "01"


def test_the_callers_flags_are_kept():
    unsampled = VALID[:-2] + "00"
    assert tracing.continue_or_start(unsampled).endswith("-00")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        VALID.upper(),  # hex digits are lower case
        "ff" + VALID[2:],  # version ff is invalid
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # zero span id
        VALID + "-extra",  # version 00 has exactly four fields
        VALID[:-1],
        "00-4bf92f3577b34da6a3ce929d0e0e4736\x00-00f067aa0ba902b7-01",
    ],
)
def test_an_absent_or_invalid_traceparent_starts_a_new_sampled_trace(header):
    started = tracing.continue_or_start(header)
    assert SHAPE.match(started)
    assert started.endswith("-01")
    assert tracing.trace_id_of(started) != "4bf92f3577b34da6a3ce929d0e0e4736"


def test_a_later_version_with_more_fields_is_read_as_far_as_version_00_goes():
    later = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next"
    assert tracing.trace_id_of(tracing.continue_or_start(later)) == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_new_traces_are_random():
    assert len({tracing.trace_id_of(tracing.continue_or_start(None)) for _ in range(50)}) == 50
