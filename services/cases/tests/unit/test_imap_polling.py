"""The IMAP polling rules with an in-memory server folder and a transactional in-memory state: what is
taken, when it is flagged, and what a crash at each step leaves for the next poll."""

import asyncio
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self
from uuid import UUID, uuid4

import pytest

from crm_cases.service_layer.imap_polling import FolderJob, FolderKey, poll_folder
from crm_cases.service_layer.intake import IntakeResult


class Crash(BaseException):
    """The process dying at that point (not an error the intake could handle)."""


class Refused(Exception):
    """The storage refusing this one mail, for good."""


@dataclass
class Tables:
    validity: dict[tuple[str, str], int] = field(default_factory=dict)
    uids: dict[tuple[FolderKey, int], bool] = field(default_factory=dict)
    """(folder key, uid) -> flagged."""
    ingested: list[bytes] = field(default_factory=list)
    quarantined: list[tuple[bytes, str]] = field(default_factory=list)


@dataclass
class Database:
    committed: Tables = field(default_factory=Tables)


class FakeUow:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.tables = copy.deepcopy(db.committed)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass  # not committed: the staged tables are dropped, as a rollback would

    async def commit(self) -> None:
        self.db.committed = self.tables


class FakeState:
    def __init__(self, uow: FakeUow) -> None:
        self.t = uow.tables

    async def sync_validity(self, key: FolderKey) -> bool:
        known = self.t.validity.get((key.mailbox, key.folder))
        self.t.validity[(key.mailbox, key.folder)] = key.uidvalidity
        if known in (None, key.uidvalidity):
            return False
        self.t.uids = {k: v for k, v in self.t.uids.items() if k[0].uidvalidity == key.uidvalidity}
        return True

    async def last_uid(self, key: FolderKey) -> int:
        return max((uid for k, uid in self.t.uids if k == key), default=0)

    async def unflagged(self, key: FolderKey) -> list[int]:
        return sorted(uid for (k, uid), flagged in self.t.uids.items() if k == key and not flagged)

    async def claim(self, key: FolderKey, uid: int) -> bool:
        if (key, uid) in self.t.uids:
            return False
        self.t.uids[(key, uid)] = False
        return True

    async def taken(self, key: FolderKey, uid: int, raw_message_id: UUID | None) -> None:
        assert (key, uid) in self.t.uids

    async def flagged(self, key: FolderKey, uids: Sequence[int]) -> None:
        for uid in uids:
            self.t.uids[(key, uid)] = True


@dataclass
class FakeFolder:
    uidvalidity: int = 7
    mails: dict[int, bytes] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    fetched: list[int] = field(default_factory=list)
    crash_on_flag: bool = False

    def deliver(self, *raws: bytes) -> list[int]:
        start = max(self.mails, default=0) + 1
        self.mails.update(enumerate(raws, start))
        return list(range(start, start + len(raws)))

    async def uids_from(self, first: int) -> list[int]:
        found = [uid for uid in self.mails if uid >= first]
        return found or ([max(self.mails)] if self.mails else [])  # `n:*` always matches the top UID

    async def fetch(self, uid: int) -> bytes | None:
        self.fetched.append(uid)
        return self.mails.get(uid)

    async def mark_processed(self, uids: Sequence[int]) -> None:
        if self.crash_on_flag:
            raise Crash("flag")
        self.seen.update(uids)


def job(
    db: Database, *, fail_on: bytes | None = None, refuse: bytes | None = None, batch_size: int = 100
) -> FolderJob[FakeUow]:
    async def ingest(uow: FakeUow, raw: bytes) -> IntakeResult:
        uow.tables.ingested.append(raw)  # written, then the failure rolls it back
        if raw == fail_on:
            raise Crash("intake")
        if raw == refuse:
            raise Refused("value refused")
        first = raw not in uow.tables.ingested[:-1]  # the intake's content dedupe
        return IntakeResult(None, uuid4() if first else None)

    async def quarantine(uow: FakeUow, raw: bytes, reason: str) -> IntakeResult:
        uow.tables.quarantined.append((raw, reason))
        return IntakeResult(None, uuid4())

    return FolderJob(
        "support@x.example", "INBOX", lambda: FakeUow(db), FakeState, ingest, quarantine, batch_size
    )


def stored(db: Database) -> list[bytes]:
    return db.committed.ingested


async def test_new_mail_is_taken_in_order_then_flagged():
    db, folder = Database(), FakeFolder()
    uids = folder.deliver(b"a", b"b")
    report = await poll_folder(folder, job(db))
    assert (report.taken, folder.seen, stored(db)) == (uids, set(uids), [b"a", b"b"])
    assert (await poll_folder(folder, job(db))).taken == []
    assert folder.fetched == uids  # `n:*` yielded the top UID again: not even fetched


async def test_mail_already_seen_by_a_person_is_still_taken():
    db, folder = Database(), FakeFolder()
    folder.seen.update(folder.deliver(b"read in a mail client"))
    assert (await poll_folder(folder, job(db))).taken == [1]


async def test_a_crash_while_flagging_is_finished_by_the_next_poll_without_a_second_intake():
    db, folder = Database(), FakeFolder(crash_on_flag=True)
    uids = folder.deliver(b"a", b"b")
    with pytest.raises(Crash):
        await poll_folder(folder, job(db))
    folder.crash_on_flag = False
    report = await poll_folder(folder, job(db))
    assert (report.reflagged, report.taken, folder.seen) == (uids, [], set(uids))
    assert stored(db) == [b"a", b"b"]


async def test_a_crash_in_the_intake_keeps_nothing_of_that_mail_and_nothing_after_it():
    db, folder = Database(), FakeFolder()
    folder.deliver(b"a", b"poison", b"c")
    with pytest.raises(Crash):
        await poll_folder(folder, job(db, fail_on=b"poison"))
    assert (stored(db), folder.seen) == ([b"a"], {1})  # what was taken before the crash is flagged
    report = await poll_folder(folder, job(db))
    assert (report.taken, stored(db)) == ([2, 3], [b"a", b"poison", b"c"])


async def test_a_mail_the_intake_refuses_is_quarantined_taken_and_never_fetched_again():
    db, folder = Database(), FakeFolder()
    uids = folder.deliver(b"a", b"refused", b"c")
    report = await poll_folder(folder, job(db, refuse=b"refused"))
    assert (report.taken, folder.seen, stored(db)) == (uids, set(uids), [b"a", b"c"])
    assert db.committed.quarantined == [(b"refused", "the intake failed: Refused")]
    assert (await poll_folder(folder, job(db, refuse=b"refused"))).taken == []
    assert folder.fetched == [1, 2, 3]  # the next poll's search yielded the top UID, not refetched


async def test_a_new_uidvalidity_rereads_the_folder_and_the_intake_dedupes():
    db, folder = Database(), FakeFolder()
    folder.deliver(b"a", b"b")
    await poll_folder(folder, job(db))
    renumbered = FakeFolder(uidvalidity=8, mails={1: b"a", 2: b"b"})
    renumbered.deliver(b"c")
    report = await poll_folder(renumbered, job(db))
    assert report.uidvalidity_changed
    assert report.taken == [1, 2, 3]
    assert renumbered.seen == {1, 2, 3}
    assert set(db.committed.uids) == {(FolderKey("support@x.example", "INBOX", 8), u) for u in (1, 2, 3)}


async def test_a_full_batch_leaves_the_rest_for_the_next_poll():
    db, folder = Database(), FakeFolder()
    folder.deliver(b"a", b"b", b"c")
    first = await poll_folder(folder, job(db, batch_size=2))
    second = await poll_folder(folder, job(db, batch_size=2))
    assert (first.taken, first.more, second.taken, second.more) == ([1, 2], True, [3], False)


async def test_a_stop_request_ends_the_poll_before_the_next_mail():
    db, folder = Database(), FakeFolder()
    folder.deliver(b"a", b"b")
    stop = asyncio.Event()
    stop.set()
    report = await poll_folder(folder, job(db), stop)
    assert (report.taken, report.more, stored(db)) == ([], True, [])


async def test_a_uid_claimed_by_another_poller_is_left_to_it():
    db, folder = Database(), FakeFolder()
    folder.deliver(b"a")
    uow = FakeUow(db)
    await FakeState(uow).claim(FolderKey("support@x.example", "INBOX", 7), 1)
    await uow.commit()
    other_poller_sees_it_late = FolderJob(
        "support@x.example", "INBOX", lambda: FakeUow(db), _NoHistory, job(db).ingest, job(db).quarantine
    )
    report = await poll_folder(folder, other_poller_sees_it_late)
    assert (report.taken, stored(db)) == ([], [])


class _NoHistory(FakeState):
    """A poller that read the state before the other one committed its claim."""

    async def last_uid(self, key: FolderKey) -> int:
        return 0

    async def unflagged(self, key: FolderKey) -> list[int]:
        return []


async def test_nothing_is_recorded_past_a_mail_the_server_did_not_serve():
    db, folder = Database(), FakeFolder()
    folder.deliver(b"a", b"b")

    class Vanishing(FakeFolder):
        async def fetch(self, uid: int) -> bytes | None:
            return None if uid == 1 else await super().fetch(uid)

    assert (await poll_folder(Vanishing(mails=dict(folder.mails)), job(db))).taken == []
    del folder.mails[1]  # it was expunged: the next search no longer lists it
    assert (await poll_folder(folder, job(db))).taken == [2]
