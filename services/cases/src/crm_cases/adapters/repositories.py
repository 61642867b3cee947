"""Repositories of the cases service."""

from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_cases.adapters.tables import case_messages, case_numbers, cases, raw_messages
from crm_cases.domain.mail import case_number
from crm_cases.domain.model import (
    Case,
    CaseMessage,
    CaseStatus,
    Channel,
    Direction,
    IntakeOutcome,
    Priority,
    RawMessage,
)
from crm_shared.db.repository import TableRepository


class CaseRepository(TableRepository[Case]):
    """Cases with their messages: new messages are written with the case that received them."""

    table, kind = cases, Case

    def from_row(self, row: Row[Any]) -> Case:
        values = row._asdict()
        return Case(
            **values
            | {
                "status": CaseStatus(values["status"]),
                "priority": Priority(values["priority"]),
                "channel": Channel(values["channel"]),
            }
        )

    async def add(self, aggregate: Case) -> None:
        await super().add(aggregate)
        await self._write_messages(aggregate)

    async def update(self, aggregate: Case) -> None:
        await super().update(aggregate)
        await self._write_messages(aggregate)

    async def next_number(self) -> str:
        value = (await self._connection.execute(select(case_numbers.next_value()))).scalar_one()
        return case_number(int(value))

    async def by_number(self, number: str, *, for_update: bool = False) -> Case | None:
        query = select(cases).where(cases.c.number == number)
        found = await self.find(query.with_for_update() if for_update else query)
        return found[0] if found else None

    async def case_of_messages(self, message_ids: tuple[str, ...]) -> UUID | None:
        """The case holding the first of `message_ids` (in the given order) that any message carries."""
        if not message_ids:
            return None
        rows = await self._connection.execute(
            select(case_messages.c.message_id, case_messages.c.case_id)
            .where(case_messages.c.message_id.in_(message_ids))
            .order_by(case_messages.c.received_at)
        )
        owners: dict[str, UUID] = {row.message_id: row.case_id for row in rows}
        return next((owners[m] for m in message_ids if m in owners), None)

    async def messages(self, case_id: UUID) -> list[CaseMessage]:
        rows = await self._connection.execute(
            select(case_messages)
            .where(case_messages.c.case_id == case_id)
            .order_by(case_messages.c.received_at, case_messages.c.id)
        )
        return [
            CaseMessage(
                **row._asdict()
                | {"direction": Direction(row.direction), "references": tuple(row.references or ())}
            )
            for row in rows
        ]

    async def _write_messages(self, case: Case) -> None:
        if not case.new_messages:
            return
        rows = [
            {
                "id": m.id,
                "case_id": m.case_id,
                "direction": m.direction,
                "author": m.author,
                "message_id": m.message_id,
                "in_reply_to": m.in_reply_to,
                "references": list(m.references),
                "subject": m.subject,
                "body_text": m.body_text,
                "received_at": m.received_at,
                "raw_message_id": m.raw_message_id,
            }
            for m in case.new_messages
        ]
        await self._connection.execute(case_messages.insert(), rows)
        case.new_messages.clear()

    async def list(
        self, *, status: CaseStatus | None, requester_email: str | None, after: UUID | None, limit: int
    ) -> list[Case]:
        email = requester_email.strip().lower() if requester_email else None
        return await self.page(after=after, limit=limit, equal={"status": status, "requester_email": email})


class RawMessageRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def claim(self, message: RawMessage) -> bool:
        """Store the mail unless this delivery is already stored; False for a redelivery.

        A concurrent delivery of the same mail waits on the unique key until the first one commits.
        """
        statement = (
            pg_insert(raw_messages)
            .values(
                id=message.id,
                mailbox=message.mailbox,
                message_id=message.message_id,
                digest=message.digest,
                raw=message.raw,
                received_at=message.received_at,
                outcome=message.outcome,
                reason=message.reason,
            )
            .on_conflict_do_nothing(constraint="uq_raw_messages_delivery")
            .returning(raw_messages.c.id)
        )
        return (await self._connection.execute(statement)).first() is not None

    async def get(self, raw_message_id: UUID) -> RawMessage | None:
        row = (
            await self._connection.execute(select(raw_messages).where(raw_messages.c.id == raw_message_id))
        ).first()
        return RawMessage(**row._asdict() | {"outcome": IntakeOutcome(row.outcome)}) if row else None
