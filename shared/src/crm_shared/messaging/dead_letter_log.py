"""Which dead letters an operator replayed or discarded, kept in the service's own database.

A letter is known by where it is on its dead-letter topic (`DeadLetter.letter_id`). Its status:
- `pending`: never handled;
- `failed_again`: written by a replay that failed again (it names the letter it was replayed from);
- `replayed` / `discarded`: handled, and left alone unless an operator asks again (`--again`).
"""

import getpass
import uuid
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import MetaData, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_shared.db.plumbing import define_dead_letter_log
from crm_shared.messaging.dead_letters import DeadLetter

_TABLE = define_dead_letter_log(MetaData())


class Status(StrEnum):
    PENDING = "pending"
    FAILED_AGAIN = "failed_again"
    REPLAYED = "replayed"
    DISCARDED = "discarded"


class Action(StrEnum):
    REPLAYED = "replayed"
    DISCARDED = "discarded"


class DeadLetterLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def statuses(self, letters: Iterable[DeadLetter]) -> dict[str, Status]:
        async with self._engine.connect() as connection:
            handled = dict((await connection.execute(select(_TABLE.c.letter, _TABLE.c.action))).all())
        return {letter.letter_id: _status(letter, handled.get(letter.letter_id)) for letter in letters}

    async def record(self, letter: DeadLetter, action: Action, outcome: str | None = None) -> None:
        values = {
            "letter": letter.letter_id,
            "consumer": letter.consumer,
            "event_id": _uuid(letter.event_id),
            "event_type": letter.event_type,
            "action": action.value,
            "outcome": outcome,
            "actor": _actor(),
        }
        statement = pg_insert(_TABLE).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[_TABLE.c.letter],
            set_={key: statement.excluded[key] for key in ("action", "outcome", "actor", "handled_at")},
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)


def _status(letter: DeadLetter, action: str | None) -> Status:
    if action is not None:
        return Status(action)
    return Status.FAILED_AGAIN if letter.replay_of else Status.PENDING


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _actor() -> str:
    try:
        return getpass.getuser()[:128]
    except (OSError, KeyError):  # no login name (a container with an unnamed uid)
        return "unknown"
