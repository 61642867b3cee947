"""The IMAP polling state in PostgreSQL (which UIDs of which folder were taken and flagged)."""

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_cases.adapters.imap_tables import imap_folders, imap_uids
from crm_cases.domain.imap import FolderKey


class SqlImapState:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def sync_validity(self, key: FolderKey) -> bool:
        """Record the folder's UIDVALIDITY; True when it replaced another one, whose UIDs are dropped."""
        folder = (imap_folders.c.mailbox == key.mailbox) & (imap_folders.c.folder == key.folder)
        known = await self._connection.scalar(
            select(imap_folders.c.uidvalidity).where(folder).with_for_update()
        )
        now = datetime.now(UTC)
        if known is None:
            values = {"mailbox": key.mailbox, "folder": key.folder, "uidvalidity": key.uidvalidity}
            await self._connection.execute(
                pg_insert(imap_folders).values(**values, updated_at=now).on_conflict_do_nothing()
            )
            return False
        if known == key.uidvalidity:
            return False
        await self._connection.execute(
            update(imap_folders).where(folder).values(uidvalidity=key.uidvalidity, updated_at=now)
        )
        await self._connection.execute(
            delete(imap_uids).where(
                (imap_uids.c.mailbox == key.mailbox)
                & (imap_uids.c.folder == key.folder)
                & (imap_uids.c.uidvalidity != key.uidvalidity)
            )
        )
        return True

    async def last_uid(self, key: FolderKey) -> int:
        highest = await self._connection.scalar(select(func.max(imap_uids.c.uid)).where(_of(key)))
        return int(highest or 0)

    async def unflagged(self, key: FolderKey) -> list[int]:
        rows = await self._connection.scalars(
            select(imap_uids.c.uid).where(_of(key), imap_uids.c.flagged_at.is_(None)).order_by("uid")
        )
        return [int(uid) for uid in rows]

    async def claim(self, key: FolderKey, uid: int) -> bool:
        """Record the UID as taken (visible at commit); False when it already is. A concurrent claim of
        the same UID waits on the primary key until the first transaction ends."""
        claimed = await self._connection.scalar(
            pg_insert(imap_uids)
            .values(
                mailbox=key.mailbox,
                folder=key.folder,
                uidvalidity=key.uidvalidity,
                uid=uid,
                taken_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
            .returning(imap_uids.c.uid)
        )
        return claimed is not None

    async def taken(self, key: FolderKey, uid: int, raw_message_id: UUID | None) -> None:
        await self._connection.execute(
            update(imap_uids).where(_of(key), imap_uids.c.uid == uid).values(raw_message_id=raw_message_id)
        )

    async def flagged(self, key: FolderKey, uids: Sequence[int]) -> None:
        await self._connection.execute(
            update(imap_uids)
            .where(_of(key), imap_uids.c.uid.in_(list(uids)), imap_uids.c.flagged_at.is_(None))
            .values(flagged_at=datetime.now(UTC))
        )


def _of(key: FolderKey) -> ColumnElement[bool]:
    return (
        (imap_uids.c.mailbox == key.mailbox)
        & (imap_uids.c.folder == key.folder)
        & (imap_uids.c.uidvalidity == key.uidvalidity)
    )
