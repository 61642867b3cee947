"""One poll of one IMAP folder: take in every mail not taken yet, exactly once, then flag or move it.

Order of work, chosen so that a crash anywhere loses nothing and doubles nothing:
1. the folder's UIDVALIDITY is compared with the one on record; a new one forgets the old UIDs (the
   folder is read again from UID 1; mails already stored are recognised by the intake's content dedupe);
2. mails taken in by an earlier poll but never flagged (a crash after commit) are flagged now;
3. each mail above the highest UID on record is fetched and, in ONE transaction, its UID is claimed and
   the mail goes through the intake (`take_uid`); the commit makes it "taken". A mail the intake cannot
   take in is taken all the same, kept raw in quarantine (`quarantine_uid`, see intake_guard): a bad
   mail is never fetched again;
4. only then are the new mails flagged \\Seen (or moved), and that is recorded.
"What was taken" lives in the database, not in the server's \\Seen flag, which people reading the
mailbox also set and clear. Each step is a use case run by a system bus, in a transaction of its own.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from crm_cases.domain.imap import FolderKey
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.service_layer import intake_rejections
from crm_cases.service_layer.intake import DEFAULT_POLICY, Delivery, IntakeResult, delivery, take_delivery
from crm_cases.service_layer.intake_guard import kept
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal
from crm_shared.service_layer import Bus

log = structlog.get_logger()


class ImapFolder(Protocol):
    """A selected folder on the server (adapters/imap_client.py)."""

    @property
    def uidvalidity(self) -> int: ...

    async def uids_from(self, first: int) -> list[int]: ...

    async def fetch(self, uid: int) -> bytes | None: ...

    async def mark_processed(self, uids: Sequence[int]) -> None: ...


@dataclass(frozen=True)
class FolderJob:
    """One mailbox's folder, and how to reach the database for it."""

    mailbox: str
    folder: str
    bus: Callable[[], Bus[CasesUnitOfWork]]
    """A new system bus: one per mail, so that each mail's events carry a correlation id of their own."""
    policy: IntakePolicy = DEFAULT_POLICY
    batch_size: int = 100


@dataclass
class PollReport:
    uidvalidity_changed: bool = False
    reflagged: list[int] = field(default_factory=list)
    taken: list[int] = field(default_factory=list)
    more: bool = False
    """The batch was full: more mail is waiting."""


async def poll_folder(folder: ImapFolder, job: FolderJob, stop: asyncio.Event | None = None) -> PollReport:
    key = FolderKey(job.mailbox, job.folder, folder.uidvalidity)
    report = PollReport()
    report.uidvalidity_changed = await job.bus().execute(sync_validity, key=key)
    report.reflagged, last = await job.bus().read(unflagged_and_last, key=key)
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


async def _take(job: FolderJob, key: FolderKey, uid: int, raw: bytes) -> bool:
    """Take one mail in: claim + intake in one transaction, else claim + quarantine (intake_guard).
    An error that leaves even the quarantine unwritten propagates and ends the poll, so no later UID
    gets recorded past a mail that was not taken (it is retried by the next poll)."""
    bus, arrived = job.bus(), delivery(raw, job.mailbox, "imap")

    async def take() -> IntakeResult | None:
        return await bus.execute(take_uid, key=key, uid=uid, arrived=arrived, policy=job.policy)

    async def quarantine(reason: str) -> IntakeResult | None:
        return await bus.execute(quarantine_uid, key=key, uid=uid, arrived=arrived, reason=reason)

    result = await kept(take, quarantine, digest=arrived.digest)
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


async def _flag(folder: ImapFolder, job: FolderJob, key: FolderKey, uids: Sequence[int]) -> None:
    if not uids:
        return
    await folder.mark_processed(uids)  # idempotent: \Seen again, or MOVE of a UID already gone
    await job.bus().execute(record_flagged, key=key, uids=uids)


async def sync_validity(*, uow: CasesUnitOfWork, actor: Principal, key: FolderKey) -> bool:
    """Records the folder's UIDVALIDITY; True when a new one replaced (and forgot) the old."""
    return await uow.imap.sync_validity(key)


async def unflagged_and_last(
    *, uow: CasesUnitOfWork, actor: Principal, key: FolderKey
) -> tuple[list[int], int]:
    """The UIDs taken but never flagged (a crash after commit), and the highest UID taken."""
    return await uow.imap.unflagged(key), await uow.imap.last_uid(key)


async def take_uid(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    key: FolderKey,
    uid: int,
    arrived: Delivery,
    policy: IntakePolicy,
) -> IntakeResult | None:
    """The UID claimed and the mail through the intake; None when another poller claimed it (and
    flags it)."""
    if not await uow.imap.claim(key, uid):
        return None
    result = await take_delivery(uow=uow, actor=actor, arrived=arrived, policy=policy)
    await uow.imap.taken(key, uid, result.raw_message_id)
    return result


async def quarantine_uid(
    *, uow: CasesUnitOfWork, actor: Principal, key: FolderKey, uid: int, arrived: Delivery, reason: str
) -> IntakeResult | None:
    """The UID claimed and the raw mail quarantined with the reason; None when another poller claimed it."""
    if not await uow.imap.claim(key, uid):
        return None
    result = await intake_rejections.quarantine(uow=uow, actor=actor, arrived=arrived, reason=reason)
    await uow.imap.taken(key, uid, result.raw_message_id)
    return result


async def record_flagged(
    *, uow: CasesUnitOfWork, actor: Principal, key: FolderKey, uids: Sequence[int]
) -> None:
    await uow.imap.flagged(key, uids)
