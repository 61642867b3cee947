"""Which database failures pass (the server is down, busy or restarting, two transactions collided)
and which are the data's own (PostgreSQL refuses a value: retrying it refuses it again)."""

import asyncio

from sqlalchemy.exc import DBAPIError, DisconnectionError

# SQLSTATE classes and codes of faults that go away by themselves (PostgreSQL appendix A).
_TRANSIENT_CLASSES = frozenset({"08", "40", "53", "57", "58"})  # connection, rollback, resources...
_TRANSIENT_CODES = frozenset({"55P03", "55006", "XX000"})  # lock not available, object in use, internal


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error raised through SQLAlchemy (asyncpg), if any."""
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None)
        return code if isinstance(code, str) else None
    return None


def is_transient(exc: BaseException) -> bool:
    """True for faults that a later attempt may not meet: network and server faults, timeouts,
    deadlocks and serialization failures. Everything else is taken as permanent for the data at hand."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OSError | TimeoutError | asyncio.TimeoutError | DisconnectionError):
        return True
    code = sqlstate(exc)
    if code is not None:
        return code[:2] in _TRANSIENT_CLASSES or code in _TRANSIENT_CODES
    cause = exc.__cause__
    return isinstance(exc, DBAPIError) and cause is not None and is_transient(cause)


def describe(exc: BaseException) -> str:
    """The failure by its kind and SQLSTATE only: a database message may quote the mail's content."""
    if isinstance(exc, DBAPIError):
        driver = exc.orig.__cause__ if exc.orig is not None and exc.orig.__cause__ else exc.orig
        kind = type(driver).__name__ if driver is not None else type(exc).__name__
        code = sqlstate(exc)
        return f"{kind} (SQLSTATE {code})" if code else kind
    return type(exc).__name__
