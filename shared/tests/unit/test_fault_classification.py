"""Transient faults (retry until the dependency is back) told from the others, through wrapped errors."""

import errno
import socket

import asyncpg  # type: ignore[import-untyped]
import pytest
from aiokafka.errors import KafkaConnectionError, OutOfOrderSequenceNumber, RequestTimedOutError
from pydantic import BaseModel, ValidationError
from sqlalchemy import exc as sa

from crm_shared.messaging.backoff import Backoff
from crm_shared.messaging.consumer import PoisonMessage
from crm_shared.messaging.faults import fault_name, is_transient


def wrapped(cause: BaseException) -> sa.DBAPIError:
    """As SQLAlchemy raises a driver's error: the DBAPI error in `orig`, the driver's as its cause."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise sa.OperationalError("SELECT 1", {}, inner) from inner
    except sa.DBAPIError as error:
        return error


def chained(outer: Exception, cause: BaseException) -> Exception:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except Exception as error:
        return error


class Shape(BaseModel):
    count: int


def invalid_payload() -> ValidationError:
    try:
        Shape.model_validate({"count": "many"})
    except ValidationError as error:
        return error
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        ConnectionResetError(errno.ECONNRESET, "reset by peer"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),  # asyncio, every address failed
        OSError(errno.EHOSTUNREACH, "No route to host"),
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
        TimeoutError(),
        wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
        wrapped(asyncpg.CannotConnectNowError("the database system is starting up")),
        wrapped(asyncpg.AdminShutdownError("terminating connection due to administrator command")),
        wrapped(asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")),
        wrapped(asyncpg.SerializationError("could not serialize access")),
        wrapped(asyncpg.DeadlockDetectedError("deadlock detected")),
        wrapped(asyncpg.TooManyConnectionsError("too many clients")),
        sa.TimeoutError("QueuePool limit reached"),
        KafkaConnectionError("Connection at 127.0.0.1:9092 closed"),
        RequestTimedOutError(),
        chained(RuntimeError("while sending a reply"), ConnectionRefusedError(errno.ECONNREFUSED, "smtp")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_unreachable_dependencies_are_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        PoisonMessage("payload does not match"),
        invalid_payload(),
        ValueError("bad value"),
        KeyError("missing"),
        FileNotFoundError(errno.ENOENT, "template.html"),
        PermissionError(errno.EACCES, "denied"),
        wrapped(asyncpg.UniqueViolationError("duplicate key")),
        wrapped(asyncpg.NumericValueOutOfRangeError("value out of int64 range")),
        wrapped(asyncpg.UndefinedColumnError("column does not exist")),
        OutOfOrderSequenceNumber(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_records_that_waiting_cannot_fix_are_not_transient(error: BaseException) -> None:
    assert not is_transient(error)


def test_the_fault_is_named_by_its_innermost_cause() -> None:
    assert (
        fault_name(wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))) == "ConnectionRefusedError"
    )


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    backoff = Backoff(base_s=0.5, cap_s=30)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (7, 30.0), (60, 30.0)]:
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, min(delays), max(delays))
        assert len(set(delays)) > 1  # jittered: instances that failed together do not retry together
