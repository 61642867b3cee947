"""The intake's guard: a mail is taken in, else kept raw in quarantine, else refused for now; which
database faults pass; and no mail is answered "try later" forever."""

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from crm_cases.adapters.db_faults import describe, is_transient
from crm_cases.service_layer import intake_guard
from crm_cases.service_layer.intake_guard import FailedDeliveries, IntakeUnavailable, kept


class Adapted(Exception):
    """What SQLAlchemy's asyncpg dialect wraps a server error in (it copies the SQLSTATE)."""

    def __init__(self, error: asyncpg.PostgresError) -> None:
        super().__init__(str(error))
        self.sqlstate = error.sqlstate
        self.__cause__ = error


def database_error(error: asyncpg.PostgresError, *, invalidated: bool = False) -> DBAPIError:
    return DBAPIError("INSERT ...", None, Adapted(error), connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), True),
        (database_error(asyncpg.SerializationError("could not serialize")), True),
        (database_error(asyncpg.DeadlockDetectedError("deadlock")), True),
        (database_error(asyncpg.AdminShutdownError("shutting down")), True),
        (database_error(asyncpg.TooManyConnectionsError("too many")), True),
        (database_error(asyncpg.CharacterNotInRepertoireError("0x00")), False),
        (database_error(asyncpg.StringDataRightTruncationError("too long")), False),
        (database_error(asyncpg.CheckViolationError("check")), False),
        (database_error(asyncpg.CheckViolationError("check"), invalidated=True), True),
        (UnicodeEncodeError("utf-8", "\udce9", 0, 1, "surrogates not allowed"), False),
        (ValueError("a case the code does not handle"), False),
    ],
)
def test_which_faults_pass(error, transient):
    assert is_transient(error) is transient


def test_a_fault_is_described_by_its_kind_never_by_its_message():
    error = database_error(asyncpg.CharacterNotInRepertoireError('invalid byte in "my secret body"'))
    assert describe(error) == "CharacterNotInRepertoireError (SQLSTATE 22021)"
    assert describe(ValueError("my secret body")) == "ValueError"


class Db:
    """Committed results, and what the next attempts of the intake raise (each attempt stands for one
    use case run by the bus: it commits unless it raises)."""

    def __init__(self, *failures: Exception, quarantine_fails: Exception | None = None) -> None:
        self.failures = list(failures)
        self.quarantine_fails = quarantine_fails
        self.committed: list[str] = []
        self.attempts = 0

    async def take(self) -> str:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        self.committed.append("taken")
        return "taken"

    async def quarantine(self, reason: str) -> str:
        if self.quarantine_fails is not None:
            raise self.quarantine_fails
        self.committed.append(f"quarantined: {reason}")
        return "quarantined"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(intake_guard, "BACKOFF_S", 0.0)


async def keep(db: Db, failed: FailedDeliveries, digest: str = "d1") -> str:
    return await kept(db.take, db.quarantine, digest=digest, failed=failed)


async def test_a_mail_the_database_refuses_is_quarantined_at_once():
    db = Db(database_error(asyncpg.CharacterNotInRepertoireError("0x00")))
    assert await keep(db, FailedDeliveries()) == "quarantined"
    assert db.attempts == 1
    assert db.committed == ["quarantined: the intake failed: CharacterNotInRepertoireError (SQLSTATE 22021)"]


async def test_a_passing_fault_is_retried_in_place():
    db = Db(database_error(asyncpg.DeadlockDetectedError("deadlock")))
    assert await keep(db, FailedDeliveries()) == "taken"
    assert (db.attempts, db.committed) == (2, ["taken"])


async def test_a_database_that_stays_down_refuses_for_now_then_the_mail_is_taken_once_it_is_back():
    failed = FailedDeliveries()
    db = Db(*[ConnectionRefusedError()] * intake_guard.ATTEMPTS)
    with pytest.raises(IntakeUnavailable):
        await keep(db, failed)
    assert (db.attempts, db.committed) == (intake_guard.ATTEMPTS, [])
    assert await keep(db, failed) == "taken"  # the sender's next delivery
    assert failed.count("d1") == 1  # forgotten once kept


async def test_no_mail_is_answered_try_later_forever():
    failed = FailedDeliveries()
    db = Db(*[TimeoutError()] * (intake_guard.ATTEMPTS * intake_guard.MAX_DELIVERIES))
    for _ in range(intake_guard.MAX_DELIVERIES - 1):
        with pytest.raises(IntakeUnavailable):
            await keep(db, failed)
    assert await keep(db, failed) == "quarantined"
    assert db.committed == [
        f"quarantined: the intake failed at {intake_guard.MAX_DELIVERIES} deliveries: TimeoutError"
    ]


async def test_when_not_even_the_raw_mail_can_be_stored_the_sender_must_retry():
    db = Db(ValueError("unhandled"), quarantine_fails=ConnectionResetError())
    with pytest.raises(IntakeUnavailable):
        await keep(db, FailedDeliveries())
    assert db.committed == []


def test_the_memory_of_failed_deliveries_is_bounded():
    failed = FailedDeliveries(capacity=2)
    for digest in ("a", "b", "a", "c"):
        failed.count(digest)
    assert failed.count("a") == 3
    assert failed.count("b") == 1  # the least recently failed one was dropped
