"""Which failures of a consumer are transient (retry until the dependency is back) and which are not.

Transient: the database or the broker cannot be reached or dropped the connection, a timeout, a
serialization failure or deadlock that the next attempt resolves. Anything else (an undecodable
record, an invalid payload, a refused command, a bug) is not made better by waiting.
The whole exception chain is inspected: SQLAlchemy wraps the driver's error, which may wrap an OSError.
"""

import errno
import socket
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa

_NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT}
    | {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}
)
_TRANSIENT: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,
    socket.gaierror,  # the host name does not resolve (yet)
    sa.TimeoutError,  # no pooled connection within the pool timeout
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.AdminShutdownError,  # 57P01
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.TooManyConnectionsError,  # 53300
    asyncpg.SerializationError,  # 40001
    asyncpg.DeadlockDetectedError,  # 40P01
    asyncpg.LockNotAvailableError,  # 55P03
    asyncpg.QueryCanceledError,  # 57014: statement timeout
    KafkaConnectionError,
    KafkaTimeoutError,
)


def is_transient(error: BaseException) -> bool:
    return any(
        isinstance(cause, _TRANSIENT) or _network(cause) or _invalidated(cause) or _retriable_kafka(cause)
        for cause in _chain(error)
    )


def fault_name(error: BaseException) -> str:
    """The class name that says most: the innermost cause (ConnectionRefusedError, not DBAPIError)."""
    return type(list(_chain(error))[-1]).__name__


def _network(error: BaseException) -> bool:
    """An OSError of the network, not of a file; asyncio's "connect call failed" to every address of
    a host has no errno."""
    return isinstance(error, OSError) and (error.errno is None or error.errno in _NETWORK_ERRNOS)


def _invalidated(error: BaseException) -> bool:
    """SQLAlchemy's verdict: the driver reported a lost connection (the pool drops it)."""
    return isinstance(error, sa.DBAPIError) and error.connection_invalidated


def _retriable_kafka(error: BaseException) -> bool:
    return isinstance(error, KafkaError) and bool(getattr(error, "retriable", False))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapped DBAPI error
        nested = orig if isinstance(orig, BaseException) else None
        current = nested or current.__cause__ or current.__context__
