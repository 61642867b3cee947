"""Database errors that are hard to cause on demand (a server starting up, out of connections, a
serialization failure) mean the same as those the integration tests cause: read from the driver's
SQLSTATE, however deep SQLAlchemy wrapped it."""

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy import exc as sa

from crm_shared.db.metadata import NAMING_CONVENTION
from crm_shared.http.database_errors import Clash, Unavailable, classify, constraint_columns


def driver_error(**fields: str) -> asyncpg.PostgresError:
    return asyncpg.PostgresError.new({"M": "message", **fields})


def wrapped(error: BaseException) -> sa.DBAPIError:
    """As SQLAlchemy raises it: its error, around the dialect's, around asyncpg's."""
    dialect_error = Exception(str(error))
    dialect_error.__cause__ = error
    return sa.DBAPIError("INSERT ...", {}, dialect_error)


@pytest.mark.parametrize(
    "state",
    ["57P03", "57P01", "53300", "08006", "08001", "57014", "58030"],
)
def test_a_database_that_cannot_serve_now_is_unavailable(state):
    assert isinstance(classify(wrapped(driver_error(C=state))), Unavailable)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "refused"),
        ConnectionResetError(104, "reset"),
        TimeoutError(),
        sa.TimeoutError("QueuePool limit reached"),
        asyncpg.InterfaceError("connection is closed"),
    ],
)
def test_a_connection_that_fails_is_unavailable(error):
    assert isinstance(classify(error), Unavailable)
    assert isinstance(classify(wrapped(error)), Unavailable)


def test_a_serialization_failure_or_deadlock_is_a_409_to_retry():
    for state in ("40001", "40P01"):
        clash = classify(wrapped(driver_error(C=state)))
        assert isinstance(clash, Clash)
        assert (clash.status, clash.code) == (409, "concurrent_change")


def test_the_columns_come_from_the_constraint_definition_else_from_the_detail():
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    table = Table(
        "stages",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("pipeline_id", Integer),
        Column("name", String),
        UniqueConstraint("pipeline_id", "name"),
    )
    assert constraint_columns([table])["uq_stages_pipeline_id"] == ("pipeline_id", "name")
    named = classify(wrapped(driver_error(C="23505", n="uq_stages_pipeline_id")), [table])
    assert isinstance(named, Clash)
    assert named.columns == ("pipeline_id", "name")
    detailed = classify(wrapped(driver_error(C="23505", n="unknown", D='Key (email, "team")=(a, b) exists.')))
    assert isinstance(detailed, Clash)
    assert detailed.columns == ("email", "team")


def test_other_errors_are_left_to_the_500_handler():
    assert classify(ValueError("a bug")) is None
    assert classify(wrapped(driver_error(C="42P01"))) is None  # undefined table: a bug
    assert classify(FileNotFoundError(2, "missing")) is None
