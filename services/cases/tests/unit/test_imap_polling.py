"""The IMAP polling rules with an in-memory server folder and the in-memory unit of work (its writes
undone without a commit): what is taken, when it is flagged, and what a crash at each step leaves for
the next poll."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from crm_cases.domain.imap import FolderKey
from crm_cases.domain.intake_policy import IntakeState
from crm_cases.service_layer import intake_guard
from crm_cases.service_layer.imap_polling import FolderJob, poll_folder
from crm_shared.events.cases import CaseOpened
from services.cases.tests.unit.fake_stores import FakeImapState
from services.cases.tests.unit.fakes import FakeCasesUnitOfWork, bus

MAILBOX = "support@x.example"


class Crash(BaseException):
    """The process dying at that point (not an error the intake could handle)."""


class Refused(Exception):
    """The storage refusing this one mail, for good."""


def mail(subject: str) -> bytes:
    return (
        f"From: Ada <ada@customer.example>\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject}@customer.example>\r\n\r\nHello.\r\n"
    ).encode()


A, B, C = mail("a"), mail("b"), mail("c")


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


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(intake_guard, "BACKOFF_S", 0.0)


def job(uow: FakeCasesUnitOfWork, batch_size: int = 100) -> FolderJob:
    return FolderJob(MAILBOX, "INBOX", lambda: bus(uow), batch_size=batch_size)


def stored(uow: FakeCasesUnitOfWork) -> list[bytes]:
    """The raw mails the intake committed, in order."""
    return [r.raw for r in uow.raw_messages.rows]


async def test_new_mail_is_taken_in_order_then_flagged(uow):
    folder = FakeFolder()
    uids = folder.deliver(A, B)
    report = await poll_folder(folder, job(uow))
    assert (report.taken, folder.seen, stored(uow)) == (uids, set(uids), [A, B])
    assert len(uow.published(CaseOpened)) == 2
    assert (await poll_folder(folder, job(uow))).taken == []
    assert folder.fetched == uids  # `n:*` yielded the top UID again: not even fetched


async def test_mail_already_seen_by_a_person_is_still_taken(uow):
    folder = FakeFolder()
    folder.seen.update(folder.deliver(A))
    assert (await poll_folder(folder, job(uow))).taken == [1]


async def test_a_crash_while_flagging_is_finished_by_the_next_poll_without_a_second_intake(uow):
    folder = FakeFolder(crash_on_flag=True)
    uids = folder.deliver(A, B)
    with pytest.raises(Crash):
        await poll_folder(folder, job(uow))
    folder.crash_on_flag = False
    report = await poll_folder(folder, job(uow))
    assert (report.reflagged, report.taken, folder.seen) == (uids, [], set(uids))
    assert stored(uow) == [A, B]


async def test_a_crash_in_the_intake_keeps_nothing_of_that_mail_and_nothing_after_it(uow):
    folder = FakeFolder()
    folder.deliver(A, mail("poison"), C)
    uow.refuse["poison"] = [Crash("intake")]
    with pytest.raises(Crash):
        await poll_folder(folder, job(uow))
    assert (stored(uow), folder.seen) == ([A], {1})  # what was taken before the crash is flagged
    assert [e.subject for e in uow.published(CaseOpened)] == ["a"]  # the poison's case went unpublished
    report = await poll_folder(folder, job(uow))
    assert (report.taken, stored(uow)) == ([2, 3], [A, mail("poison"), C])


async def test_a_mail_the_intake_refuses_is_quarantined_taken_and_never_fetched_again(uow):
    folder = FakeFolder()
    refused = mail("refused")
    uids = folder.deliver(A, refused, C)
    uow.refuse["refused"] = [Refused("value refused")]
    report = await poll_folder(folder, job(uow))
    assert (report.taken, folder.seen, stored(uow)) == (uids, set(uids), [A, refused, C])
    [kept] = [r for r in uow.intake.records.values() if r.state is IntakeState.QUARANTINED]
    assert kept.reason == "the intake failed: Refused"
    assert (await poll_folder(folder, job(uow))).taken == []
    assert folder.fetched == [1, 2, 3]  # the next poll's search yielded the top UID, not refetched


async def test_a_new_uidvalidity_rereads_the_folder_and_the_intake_dedupes(uow):
    folder = FakeFolder()
    folder.deliver(A, B)
    await poll_folder(folder, job(uow))
    renumbered = FakeFolder(uidvalidity=8, mails={1: A, 2: B})
    renumbered.deliver(C)
    report = await poll_folder(renumbered, job(uow))
    assert report.uidvalidity_changed
    assert report.taken == [1, 2, 3]
    assert renumbered.seen == {1, 2, 3}
    assert set(uow.imap.uids) == {(FolderKey(MAILBOX, "INBOX", 8), u) for u in (1, 2, 3)}
    assert (stored(uow), len(uow.cases.rows)) == ([A, B, C], 3)


async def test_a_full_batch_leaves_the_rest_for_the_next_poll(uow):
    folder = FakeFolder()
    folder.deliver(A, B, C)
    first = await poll_folder(folder, job(uow, batch_size=2))
    second = await poll_folder(folder, job(uow, batch_size=2))
    assert (first.taken, first.more, second.taken, second.more) == ([1, 2], True, [3], False)


async def test_a_stop_request_ends_the_poll_before_the_next_mail(uow):
    folder = FakeFolder()
    folder.deliver(A, B)
    stop = asyncio.Event()
    stop.set()
    report = await poll_folder(folder, job(uow), stop)
    assert (report.taken, report.more, stored(uow)) == ([], True, [])


class _NoHistory(FakeImapState):
    """A poller that read the state before the other one committed its claim."""

    async def last_uid(self, key: FolderKey) -> int:
        return 0

    async def unflagged(self, key: FolderKey) -> list[int]:
        return []


async def test_a_uid_claimed_by_another_poller_is_left_to_it(uow):
    folder = FakeFolder()
    folder.deliver(A)
    uow.imap = _NoHistory(validity={(MAILBOX, "INBOX"): 7})
    await uow.imap.claim(FolderKey(MAILBOX, "INBOX", 7), 1)
    report = await poll_folder(folder, job(uow))
    assert (report.taken, stored(uow)) == ([], [])


async def test_nothing_is_recorded_past_a_mail_the_server_did_not_serve(uow):
    folder = FakeFolder()
    folder.deliver(A, B)

    class Vanishing(FakeFolder):
        async def fetch(self, uid: int) -> bytes | None:
            return None if uid == 1 else await super().fetch(uid)

    assert (await poll_folder(Vanishing(mails=dict(folder.mails)), job(uow))).taken == []
    del folder.mails[1]  # it was expunged: the next search no longer lists it
    assert (await poll_folder(folder, job(uow))).taken == [2]
