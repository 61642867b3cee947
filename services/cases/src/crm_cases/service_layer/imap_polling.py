"""One poll of one IMAP folder: take in every mail not taken yet, exactly once, then flag or move it.

Order of work, chosen so that a crash anywhere loses nothing and doubles nothing:
1. the folder's UIDVALIDITY is compared with the one on record; a new one forgets the old UIDs (the
   folder is read again from UID 1; mails already stored are recognised by the intake's content dedupe);
2. mails taken in by an earlier poll but never flagged (a crash after commit) are flagged now;
3. each mail above the highest UID on record is fetched and, in ONE transaction, its UID is claimed and
   the mail goes through the intake; the commit makes it "taken". A mail the intake cannot take in is
   taken all the same, kept raw in quarantine (intake_guard): a bad mail is never fetched again;
4. only then are the new mails flagged \\Seen (or moved), and that is recorded.
"What was taken" lives in the database, not in the server's \\Seen flag, which people reading the
mailbox also set and clear.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Generic, Protocol, TypeVar
from uuid import UUID

import structlog

from crm_cases.service_layer.intake import IntakeResult
from crm_cases.service_layer.intake_guard import Transaction, kept

log = structlog.get_logger()


@dataclass(frozen=True)
class FolderKey:
    mailbox: str
    """The mailbox's address, as the intake names it."""
    folder: str
    uidvalidity: int


class ImapFolder(Protocol):
    """A selected folder on the server (adapters/imap_client.py)."""

    @property
    def uidvalidity(self) -> int: ...

    async def uids_from(self, first: int) -> list[int]: ...

    async def fetch(self, uid: int) -> bytes | None: ...

    async def mark_processed(self, uids: Sequence[int]) -> None: ...


class ImapState(Protocol):
    """What was taken from which folder (adapters/imap_state.py)."""

    async def sync_validity(self, key: FolderKey) -> bool: ...

    async def last_uid(self, key: FolderKey) -> int: ...

    async def unflagged(self, key: FolderKey) -> list[int]: ...

    async def claim(self, key: FolderKey, uid: int) -> bool: ...

    async def taken(self, key: FolderKey, uid: int, raw_message_id: UUID | None) -> None: ...

    async def flagged(self, key: FolderKey, uids: Sequence[int]) -> None: ...


U = TypeVar("U", bound=Transaction)


@dataclass(frozen=True)
class FolderJob(Generic[U]):
    """How to reach the database for one folder: units of work, the state kept in them, the intake."""

    mailbox: str
    folder: str
    uow: Callable[[], U]
    state: Callable[[U], ImapState]
    ingest: Callable[[U, bytes], Awaitable[IntakeResult]]
    """Runs the intake in the unit of work (without committing)."""
    quarantine: Callable[[U, bytes, str], Awaitable[IntakeResult]]
    """Keeps the raw mail in quarantine with the reason, in the unit of work (without committing)."""
    batch_size: int = 100


@dataclass
class PollReport:
    uidvalidity_changed: bool = False
    reflagged: list[int] = field(default_factory=list)
    taken: list[int] = field(default_factory=list)
    more: bool = False
    """The batch was full: more mail is waiting."""


async def poll_folder(folder: ImapFolder, job: FolderJob[U], stop: asyncio.Event | None = None) -> PollReport:
    key = FolderKey(job.mailbox, job.folder, folder.uidvalidity)
    report = PollReport()
    async with job.uow() as uow:
        report.uidvalidity_changed = await job.state(uow).sync_validity(key)
        await uow.commit()
    async with job.uow() as uow:
        report.reflagged = await job.state(uow).unflagged(key)
        last = await job.state(uow).last_uid(key)
    await _flag(folder, job, key, report.reflagged)
    waiting = [uid for uid in await folder.uids_from(last + 1) if uid > last]  # `n:*` also yields the top
    batch = sorted(waiting)[: job.batch_size]
    report.more = len(waiting) > len(batch)
    try:
        for uid in batch:
            if stop is not None and stop.is_set():
                report.more = True
                break
            raw = await folder.fetch(uid)
            if raw is None:  # expunged meanwhile (or not served): record nothing past it; the next
                break  # poll's search tells which
            if await _take(job, key, uid, raw):
                report.taken.append(uid)
    finally:  # what was taken before an error is flagged all the same
        await _flag(folder, job, key, report.taken)
    return report


async def _take(job: FolderJob[U], key: FolderKey, uid: int, raw: bytes) -> bool:
    """Take one mail in: claim + intake in one transaction, else claim + quarantine (intake_guard).
    An error that leaves even the quarantine unwritten propagates and ends the poll, so no later UID
    gets recorded past a mail that was not taken (it is retried by the next poll)."""

    async def take(uow: U) -> IntakeResult | None:
        return await _claimed(job.state(uow), key, uid, lambda: job.ingest(uow, raw))

    async def keep(uow: U, reason: str) -> IntakeResult | None:
        return await _claimed(job.state(uow), key, uid, lambda: job.quarantine(uow, raw, reason))

    result = await kept(job.uow, take, keep, digest=sha256(raw).hexdigest())
    if result is None:
        return False
    log.info(
        "cases.imap.mail_taken",
        mailbox=key.mailbox,
        uid=uid,
        outcome=result.outcome or "duplicate",
        raw_message_id=str(result.raw_message_id) if result.raw_message_id else None,
        case_id=str(result.case.id) if result.case else None,
        size=len(raw),
    )
    return True


async def _claimed(
    state: ImapState, key: FolderKey, uid: int, work: Callable[[], Awaitable[IntakeResult]]
) -> IntakeResult | None:
    """The UID claimed, then `work` done; None when another poller took it (and flags it)."""
    if not await state.claim(key, uid):
        return None
    result = await work()
    await state.taken(key, uid, result.raw_message_id)
    return result


async def _flag(folder: ImapFolder, job: FolderJob[U], key: FolderKey, uids: Sequence[int]) -> None:
    if not uids:
        return
    await folder.mark_processed(uids)  # idempotent: \Seen again, or MOVE of a UID already gone
    async with job.uow() as uow:
        await job.state(uow).flagged(key, uids)
        await uow.commit()
