"""Storage of the mail intake: what became of each raw message, mailboxes' teams, bouncing addresses."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_cases.adapters.intake_tables import bounced_addresses, mail_intake, mailboxes
from crm_cases.adapters.tables import raw_messages
from crm_cases.domain.intake_policy import IntakeState


@dataclass(frozen=True)
class IntakeRecord:
    raw_message_id: UUID
    sender: str | None
    source: str
    state: IntakeState
    reason: str | None
    flags: tuple[str, ...]
    received_at: datetime
    mailbox: str = ""
    message_id: str = ""
    outcome: str = ""

    @property
    def id(self) -> UUID:
        return self.raw_message_id


@dataclass(frozen=True)
class Mailbox:
    address: str
    team: str
    updated_at: datetime


class IntakeRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, record: IntakeRecord) -> None:
        values = {
            "sender": record.sender,
            "source": record.source,
            "state": record.state,
            "reason": record.reason,
            "flags": list(record.flags),
            "received_at": record.received_at,
        }
        statement = pg_insert(mail_intake).values(raw_message_id=record.raw_message_id, **values)
        await self._connection.execute(
            statement.on_conflict_do_update(index_elements=["raw_message_id"], set_=values)
        )

    async def set_outcome(self, raw_message_id: UUID, outcome: str, reason: str | None) -> None:
        await self._connection.execute(
            update(raw_messages)
            .where(raw_messages.c.id == raw_message_id)
            .values(outcome=outcome, reason=reason)
        )

    async def accepted_since(self, sender: str, since: datetime) -> int:
        query = select(func.count()).where(
            mail_intake.c.sender == sender,
            mail_intake.c.received_at >= since,
            mail_intake.c.state == IntakeState.ACCEPTED,
        )
        return int((await self._connection.execute(query)).scalar_one())

    async def get(self, raw_message_id: UUID, *, for_update: bool = False) -> IntakeRecord | None:
        query = self._joined().where(mail_intake.c.raw_message_id == raw_message_id)
        row = (await self._connection.execute(query.with_for_update() if for_update else query)).first()
        return _record(row) if row else None

    async def quarantined(self, *, after: UUID | None, limit: int) -> list[IntakeRecord]:
        """Oldest first, by raw message id (UUIDv7: time-ordered) for keyset pagination."""
        query = self._joined().where(mail_intake.c.state == IntakeState.QUARANTINED)
        if after is not None:
            query = query.where(mail_intake.c.raw_message_id > after)
        rows = await self._connection.execute(query.order_by(mail_intake.c.raw_message_id).limit(limit))
        return [_record(row) for row in rows]

    def _joined(self) -> Any:
        return select(
            mail_intake,
            raw_messages.c.mailbox,
            raw_messages.c.message_id,
            raw_messages.c.outcome,
        ).join(raw_messages, raw_messages.c.id == mail_intake.c.raw_message_id)

    async def mailbox(self, address: str) -> Mailbox | None:
        row = (
            await self._connection.execute(select(mailboxes).where(mailboxes.c.address == address))
        ).first()
        return Mailbox(**row._asdict()) if row else None

    async def put_mailbox(self, mailbox: Mailbox) -> None:
        values = {"team": mailbox.team, "updated_at": mailbox.updated_at}
        statement = pg_insert(mailboxes).values(address=mailbox.address, **values)
        await self._connection.execute(
            statement.on_conflict_do_update(index_elements=["address"], set_=values)
        )

    async def mark_bounced(
        self, address: str, *, case_id: UUID | None, reason: str | None, at: datetime
    ) -> None:
        values = {"case_id": case_id, "reason": reason, "last_bounced_at": at}
        statement = pg_insert(bounced_addresses).values(address=address, bounces=1, **values)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["address"], set_=values | {"bounces": bounced_addresses.c.bounces + 1}
            )
        )

    async def is_bouncing(self, address: str) -> bool:
        query = select(bounced_addresses.c.address).where(bounced_addresses.c.address == address)
        return (await self._connection.execute(query)).first() is not None


def _record(row: Row[Any]) -> IntakeRecord:
    values = row._asdict()
    return IntakeRecord(**values | {"state": IntakeState(values["state"]), "flags": tuple(values["flags"])})
