"""W3C Trace Context (`traceparent`): continue the caller's trace, or start one.

Every request and every event carries a trace: a request or event that arrives with a valid
`traceparent` continues its trace (same trace id, a new span id of ours, the caller's flags); one with
none, or with an invalid one (as the specification asks), starts a new trace, sampled.
Format (version 00): `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, lower case.
"""

import re
import secrets
from dataclasses import dataclass

VERSION = "00"
SAMPLED = "01"
_HEADER = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_INVALID_VERSION = "ff"
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16


@dataclass(frozen=True)
class TraceParent:
    trace_id: str
    span_id: str
    flags: str

    def __str__(self) -> str:
        return f"{VERSION}-{self.trace_id}-{self.span_id}-{self.flags}"

    def child(self) -> "TraceParent":
        """The same trace, one span further: what this process does on behalf of the caller."""
        return TraceParent(self.trace_id, _new_span_id(), self.flags)


def parse(header: str | None) -> TraceParent | None:
    """The trace a header names, or None when it is absent or invalid."""
    if header is None:
        return None
    found = _HEADER.match(header.strip())
    if found is None:
        return None
    version, trace_id, span_id, flags, rest = found.groups()
    # Version 00 has exactly four fields; a later version may append fields after a dash.
    if version == _INVALID_VERSION or (version == VERSION and rest is not None):
        return None
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return TraceParent(trace_id, span_id, flags)


def start() -> TraceParent:
    """A new trace: random 16-byte trace id and 8-byte span id, sampled."""
    trace_id = _ZERO_TRACE
    while trace_id == _ZERO_TRACE:
        trace_id = secrets.token_hex(16)
    return TraceParent(trace_id, _new_span_id(), SAMPLED)


def continue_or_start(traceparent: str | None) -> str:
    """The `traceparent` of work done for a request or event that came with `traceparent`."""
    found = parse(traceparent)
    return str(found.child() if found is not None else start())


def trace_id_of(traceparent: str) -> str | None:
    found = parse(traceparent)
    return found.trace_id if found is not None else None


def _new_span_id() -> str:
    span_id = _ZERO_SPAN
    while span_id == _ZERO_SPAN:
        span_id = secrets.token_hex(8)
    return span_id
