"""What a database error means for the caller: the database is out of reach (503, retry), the input
clashes with stored data (409) or breaks a rule the database keeps (422), or a bug (None: a 500).

SQLAlchemy wraps the driver's error (`.orig`), which wraps asyncpg's (`__cause__`): the whole chain is
read, since the SQLSTATE, the constraint and the column are only on asyncpg's exception, and a refused
connection arrives as a bare `OSError`.
"""

import errno
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Table
from sqlalchemy import exc as sa
from sqlalchemy.sql.schema import ColumnCollectionConstraint

_KEY_COLUMNS = re.compile(r"^Key \((?P<columns>[^)]*)\)=")
_UNREACHABLE_ERRNO = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH,
     errno.ETIMEDOUT, errno.EPIPE}
)  # fmt: skip
# Connection exception, insufficient resources, operator intervention (shutdown, cannot connect now,
# statement timeout), system error: the database cannot serve now, later it may.
_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
_CONCURRENT_CHANGE = frozenset({"40001", "40P01"})  # serialization failure, deadlock
_UNIQUE, _FOREIGN_KEY, _EXCLUSION = "23505", "23503", "23P01"


@dataclass(frozen=True)
class Unavailable:
    cause: str


@dataclass(frozen=True)
class Clash:
    """The request's data conflicts with stored data (409) or breaks a stored rule (422)."""

    status: int
    code: str
    columns: tuple[str, ...]
    message: str


def classify(exc: BaseException, tables: Iterable[Table] = ()) -> Unavailable | Clash | None:
    chain = list(_chain(exc))
    if any(_unreachable(e) for e in chain):
        return Unavailable(" <- ".join(type(e).__name__ for e in chain))
    driver = next((e for e in chain if isinstance(e, asyncpg.PostgresError)), None)
    state = getattr(driver, "sqlstate", None) or ""
    return _by_state(driver, state, tables) if driver is not None and state else None


def _by_state(
    driver: asyncpg.PostgresError, state: str, tables: Iterable[Table]
) -> Unavailable | Clash | None:
    if state.startswith(_UNAVAILABLE_CLASSES):
        return Unavailable(f"{type(driver).__name__} ({state})")
    if state in _CONCURRENT_CHANGE:
        return Clash(409, "concurrent_change", (), "changed by a concurrent request: retry")
    if state.startswith("23"):
        return _integrity(driver, state, tables)
    if state.startswith("22"):
        columns = (driver.column_name,) if getattr(driver, "column_name", None) else ()
        return Clash(422, "unstorable_value", columns, "a value cannot be stored as given")
    return None


def constraint_columns(tables: Iterable[Table]) -> dict[str, tuple[str, ...]]:
    """Name of every constraint and unique index of the tables -> its columns."""
    found: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for constraint in table.constraints:
            if isinstance(constraint, ColumnCollectionConstraint) and isinstance(constraint.name, str):
                found[constraint.name] = tuple(c.name for c in constraint.columns)
        for index in table.indexes:
            if index.unique and isinstance(index.name, str):
                found[index.name] = tuple(c.name for c in index.columns)
    return found


def _integrity(driver: asyncpg.PostgresError, state: str, tables: Iterable[Table]) -> Clash:
    columns = _columns(driver, tables)
    if state == _UNIQUE:
        return Clash(409, "already_exists", columns, "already used by another record")
    if state == _EXCLUSION:
        return Clash(409, "conflict", columns, "overlaps another record")
    if state == _FOREIGN_KEY:
        if "still referenced" in (getattr(driver, "detail", None) or ""):
            return Clash(409, "still_referenced", columns, "other records still refer to this one")
        return Clash(422, "unknown_reference", columns, "refers to a record that does not exist")
    return Clash(422, "constraint_violated", columns, "breaks a rule of the stored data")


def _columns(driver: asyncpg.PostgresError, tables: Iterable[Table]) -> tuple[str, ...]:
    """From the constraint's definition, else the driver's column, else the detail's `Key (a, b)=`."""
    name = getattr(driver, "constraint_name", None)
    if name and (columns := constraint_columns(tables).get(name)):
        return columns
    if column := getattr(driver, "column_name", None):
        return (column,)
    found = _KEY_COLUMNS.match(getattr(driver, "detail", None) or "")
    if found:
        return tuple(c.strip().strip('"') for c in found.group("columns").split(","))
    return ()


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__ or current.__context__


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa.TimeoutError):
        return True  # no connection of the pool was free in time
    if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
        return True  # the connection was closed under us
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNO
