"""Repositories of the cases service."""

from dataclasses import fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_cases.adapters.case_queries import case_query
from crm_cases.adapters.tables import (
    case_attachments,
    case_links,
    case_messages,
    case_numbers,
    cases,
    raw_messages,
)
from crm_cases.domain.case_query import CaseFilter
from crm_cases.domain.mail import acknowledged_case, case_number
from crm_cases.domain.model import (
    Attachment,
    Case,
    CaseMessage,
    CaseStatus,
    CaseType,
    Channel,
    Direction,
    IntakeOutcome,
    LinkKind,
    Priority,
    RawMessage,
    Visibility,
)
from crm_shared.db.repository import TableRepository
from crm_shared.errors import NotFound

ARRAYS = ("contact_ids", "tags", "participants")
MESSAGE_ARRAYS = ("references", "to", "cc")
ATTACHMENT_LISTING = [c for c in case_attachments.c if c.name != "content"]


class CaseRepository(TableRepository[Case]):
    """Cases with their messages: new messages are written with the case that received them."""

    table, kind = cases, Case

    def from_row(self, row: Row[Any]) -> Case:
        values = row._asdict()
        return Case(
            **values
            | {name: tuple(values[name] or ()) for name in ARRAYS}
            | {
                "status": CaseStatus(values["status"]),
                "priority": Priority(values["priority"]),
                "channel": Channel(values["channel"]),
                "type": CaseType(values["type"]) if values["type"] else None,
            }
        )

    def _row(self, aggregate: Case) -> dict[str, Any]:
        row = super()._row(aggregate)
        return row | {name: list(row[name]) for name in ARRAYS}

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
        for message_id in message_ids:
            if message_id in owners:
                return owners[message_id]
            acknowledged = acknowledged_case(message_id)
            if acknowledged is not None and await self._exists(acknowledged):
                return acknowledged
        return None

    async def _exists(self, case_id: UUID) -> bool:
        query = select(cases.c.id).where(cases.c.id == case_id)
        return (await self._connection.execute(query)).first() is not None

    async def messages(self, case_id: UUID) -> list[CaseMessage]:
        """The case's messages, oldest first, with their attachments' descriptions (not contents)."""
        rows = await self._connection.execute(
            select(case_messages)
            .where(case_messages.c.case_id == case_id)
            .order_by(case_messages.c.received_at, case_messages.c.id)
        )
        files: dict[UUID, list[Attachment]] = {}
        for row in await self._connection.execute(
            select(*ATTACHMENT_LISTING).where(case_attachments.c.case_id == case_id)
        ):
            values = row._asdict()
            files.setdefault(values.pop("case_message_id"), []).append(_attachment(values))
        return [
            CaseMessage(
                **row._asdict()
                | {name: tuple(getattr(row, name) or ()) for name in MESSAGE_ARRAYS}
                | {
                    "direction": Direction(row.direction),
                    "visibility": Visibility(row.visibility),
                    "attachments": tuple(files.get(row.id, ())),
                }
            )
            for row in rows
        ]

    async def attachment(self, case_id: UUID, attachment_id: UUID) -> Attachment:
        row = (
            await self._connection.execute(
                select(case_attachments).where(
                    case_attachments.c.id == attachment_id, case_attachments.c.case_id == case_id
                )
            )
        ).first()
        if row is None:
            raise NotFound("attachment", attachment_id)
        values = row._asdict()
        values.pop("case_message_id")
        return _attachment(values)

    async def search(self, f: CaseFilter, *, now: datetime, after: UUID | None, limit: int) -> list[Case]:
        return await self.page(case_query(f, now=now), after=after, limit=limit)

    async def move_messages(self, *, from_case: UUID, to_case: UUID) -> None:
        """A merge: the merged case's messages and files now belong to the survivor."""
        for table in (case_messages, case_attachments):
            await self._connection.execute(
                update(table).where(table.c.case_id == from_case).values(case_id=to_case)
            )

    async def link(self, case_id: UUID, other_id: UUID, *, kind: LinkKind, by: str, at: datetime) -> bool:
        """Record a link once (whichever side made it); False when the two were already linked."""
        links = case_links.c
        existing = await self._connection.execute(
            select(links.case_id).where(
                or_(
                    and_(links.case_id == case_id, links.linked_case_id == other_id),
                    and_(links.case_id == other_id, links.linked_case_id == case_id),
                )
            )
        )
        if existing.first() is not None:
            return False
        row = {
            "case_id": case_id,
            "linked_case_id": other_id,
            "kind": kind,
            "created_by": by,
            "created_at": at,
        }
        await self._connection.execute(case_links.insert().values(**row))
        return True

    async def links(self, case_id: UUID) -> list[tuple[UUID, LinkKind]]:
        """The cases linked to this one, in either direction, with the kind of link."""
        c = case_links.c
        rows = await self._connection.execute(
            select(c.case_id, c.linked_case_id, c.kind)
            .where(or_(c.case_id == case_id, c.linked_case_id == case_id))
            .order_by(c.created_at)
        )
        return [(r.linked_case_id if r.case_id == case_id else r.case_id, LinkKind(r.kind)) for r in rows]

    async def _write_messages(self, case: Case) -> None:
        if not case.new_messages:
            return
        rows = [_message_row(m) for m in case.new_messages]
        await self._connection.execute(case_messages.insert(), rows)
        files = [_attachment_row(m, a) for m in case.new_messages for a in m.attachments]
        if files:
            await self._connection.execute(case_attachments.insert(), files)
        case.new_messages.clear()


def _attachment(values: dict[str, Any]) -> Attachment:
    values.pop("case_id", None)
    return Attachment(**values)


def _message_row(m: CaseMessage) -> dict[str, Any]:
    columns = {c.name for c in case_messages.c}
    values = {f.name: getattr(m, f.name) for f in fields(m) if f.name in columns}
    return values | {name: list(values[name]) for name in MESSAGE_ARRAYS}


def _attachment_row(m: CaseMessage, a: Attachment) -> dict[str, Any]:
    return {f.name: getattr(a, f.name) for f in fields(a)} | {"case_id": m.case_id, "case_message_id": m.id}


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
