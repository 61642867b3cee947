"""One error is one bounded record, in both formats, with no local variables and no token in it, whether
it is logged by our code (structlog) or by a library (the standard library's logging)."""

import json
import logging

import pytest
import structlog

from crm_shared.auth import Role, issue_dev_token
from crm_shared.settings import AuthSettings

TOKEN = issue_dev_token(AuthSettings(), user_id="alice", roles=[Role.SALES])
LOCAL_MARK = "LOCAL-VARIABLE-CONTENT"
MAX_RECORD_BYTES = 16 * 1024


def fail_with_secrets_in_hand() -> None:
    authorization = f"Bearer {TOKEN}"
    rows = [f"{LOCAL_MARK}-{i}" * 50 for i in range(1_000)]  # about 1 MB of locals
    raise PermissionError(f"upstream refused {authorization} after {len(rows)} rows " + "z" * 100_000)


def log_with_structlog() -> None:
    try:
        fail_with_secrets_in_hand()
    except PermissionError:
        structlog.get_logger().exception("http.request.crashed", path="/v1/forms/x/submissions")


def log_with_stdlib() -> None:
    try:
        fail_with_secrets_in_hand()
    except PermissionError:
        logging.getLogger("aiokafka.client").exception("Unexpected error in sender routine")


def assert_safe(output: str) -> None:
    assert output, "nothing was written"
    assert len(output.encode()) <= MAX_RECORD_BYTES
    assert LOCAL_MARK not in output
    for piece in [TOKEN, *TOKEN.split(".")[1:]]:  # the claims and the signature, alone too
        assert piece not in output
    assert "fail_with_secrets_in_hand" in output  # the traceback itself is kept
    assert "PermissionError: upstream refused" in output


@pytest.mark.parametrize("log", [log_with_structlog, log_with_stdlib], ids=["structlog", "stdlib"])
def test_an_error_in_json_is_one_bounded_line_without_locals_or_token(capture_logs, log):
    written = capture_logs("json")
    log()
    output = written()
    [line] = output.splitlines()
    record = json.loads(line)
    assert record["level"] == "error"
    assert_safe(output)
    assert "characters cut" in record["exception"]


@pytest.mark.parametrize("log", [log_with_structlog, log_with_stdlib], ids=["structlog", "stdlib"])
def test_an_error_on_the_console_is_bounded_without_locals_or_token(capture_logs, log):
    written = capture_logs("console")
    log()
    output = written()
    assert output.count("Traceback (most recent call last)") == 1
    assert_safe(output)


def test_a_huge_field_and_a_deep_traceback_stay_within_the_record_bound(capture_logs):
    written = capture_logs("json", max_record_bytes=4_096)

    def recurse(depth: int) -> None:
        if depth == 0:
            raise RecursionError("deep")
        recurse(depth - 1)

    try:
        recurse(500)
    except RecursionError:
        structlog.get_logger().exception("job.failed", payload={"rows": list(range(100_000))}, note="x")
    [line] = written().splitlines()
    record = json.loads(line)
    assert len(line.encode()) <= 4_096
    assert record["event"] == "job.failed"
    assert record["exception"].count("in recurse") <= 12  # innermost frames only
