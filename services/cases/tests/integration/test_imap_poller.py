"""The IMAP poller against a real Dovecot on loopback and a real PostgreSQL: mail is taken in once and
flagged or moved, a crash before or after the commit neither loses nor doubles a mail, a new
UIDVALIDITY re-reads the folder without duplicates, and a mail the database cannot store as it is
ends stored or quarantined, never fetched again. Each test uses its own folder and mailbox address."""

import asyncio
import imaplib
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text

from crm_cases.adapters.imap_client import open_folder, quote
from crm_cases.adapters.imap_state import SqlImapState
from crm_cases.adapters.imap_tables import imap_uids
from crm_cases.adapters.intake_tables import mail_intake
from crm_cases.adapters.tables import cases, raw_messages
from crm_cases.bootstrap import definition
from crm_cases.config import ImapMailbox, Settings
from crm_cases.domain.imap import FolderKey
from crm_cases.entrypoints.imap_poller import folder_job, imap_poller, poll_mailbox
from crm_cases.service_layer.imap_polling import ImapFolder, PollReport, poll_folder
from crm_cases.service_layer.integration_events import translate
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.db.migrations import upgrade
from crm_shared.events import EventContext
from crm_shared.infra.dovecot import DovecotServer, dovecot_server
from crm_shared.infra.process import free_port
from crm_shared.runtime import ServiceRuntime
from crm_shared.service_layer import system_bus
from tests.data import EMAILS

pytestmark = pytest.mark.integration

MAILS = Path(__file__).resolve().parents[1] / "data/emails"  # the project's own test mails
BASIC, FIRST, REPLY = "mikel__basic_email.eml", "mikel__example01.eml", "mikel__example06.eml"
AUTO_REPLY, LATE = "sisimai__rfc3834-01.eml", "flanker__no-ctype.eml"


class Crash(BaseException):
    """A process dying at that point (not an error the intake could handle)."""


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    started = time.monotonic()
    with dovecot_server() as server:
        print(f"dovecot ready in {time.monotonic() - started:.2f}s on port {server.port}")
        yield server


@pytest.fixture(scope="module")
async def runtime(make_database: Any) -> AsyncIterator[ServiceRuntime[Any]]:
    """The cases database, migrated; no role started (each test polls by hand, Kafka is not needed)."""
    settings = Settings(database_url=make_database("cases_imap"), smtp_port=free_port())
    service = definition(settings)
    assert service.migrations is not None
    await asyncio.to_thread(upgrade, database_url=settings.database_url, script_location=service.migrations)
    runtime = ServiceRuntime(service, frozenset())
    yield runtime
    await runtime.producer.stop()  # never started; closes its client
    await runtime.engine.dispose()


def mailbox_for(server: DovecotServer, name: str, **options: Any) -> ImapMailbox:
    """A folder of its own per test, created empty on the server."""
    with _imap(server) as connection:
        assert connection.create(quote(name))[0] == "OK"
    return ImapMailbox(
        address=f"{name}@support.example",
        host=server.host,
        port=server.port,
        tls=False,
        username=server.username,
        password=SecretStr(server.password),
        folder=name,
        **options,
    )


def append(server: DovecotServer, folder: str, *names: str) -> list[int]:
    return append_raw(server, folder, *((EMAILS / name).read_bytes() for name in names))


def append_raw(server: DovecotServer, folder: str, *raws: bytes) -> list[int]:
    uids = []
    with _imap(server) as connection:
        for raw in raws:
            typ, data = connection.append(quote(folder), None, None, raw)
            assert typ == "OK", data
            uids.append(int(re.findall(rb"APPENDUID \d+ (\d+)", data[0])[0]))
    return uids


def flags(server: DovecotServer, folder: str) -> dict[int, str]:
    """UID -> the FLAGS text of every mail in the folder."""
    with _imap(server) as connection:
        connection.select(quote(folder))
        _, data = connection.uid("FETCH", "1:*", "(FLAGS)")
    found = (re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", d) for d in data if isinstance(d, bytes))
    return {int(m.group(1)): m.group(2).decode() for m in found if m}


class _imap:
    def __init__(self, server: DovecotServer) -> None:
        self.connection = imaplib.IMAP4(server.host, server.port, timeout=10)
        self.connection.login(server.username, server.password)

    def __enter__(self) -> imaplib.IMAP4:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.logout()


async def counts(runtime: ServiceRuntime[Any], mailbox: ImapMailbox) -> tuple[int, int]:
    """(raw messages stored, cases opened) for the mailbox."""
    async with runtime.engine.connect() as connection:
        raw = await connection.scalar(
            select(func.count()).select_from(raw_messages).where(raw_messages.c.mailbox == mailbox.address)
        )
        opened = await connection.scalar(
            select(func.count()).select_from(cases).where(cases.c.mailbox == mailbox.address)
        )
    return int(raw or 0), int(opened or 0)


async def unflagged(runtime: ServiceRuntime[Any], mailbox: ImapMailbox) -> list[int]:
    async with runtime.engine.connect() as connection:
        rows = await connection.scalars(
            select(imap_uids.c.uid).where(
                imap_uids.c.mailbox == mailbox.address, imap_uids.c.flagged_at.is_(None)
            )
        )
    return sorted(rows)


class CrashingFolder:
    """The real folder, dying just before (or just after) marking mail processed."""

    def __init__(self, folder: ImapFolder, *, after: bool = False) -> None:
        self._folder, self._after = folder, after
        self.uidvalidity = folder.uidvalidity
        self.uids_from, self.fetch = folder.uids_from, folder.fetch

    async def mark_processed(self, uids: Sequence[int]) -> None:
        if self._after:
            await self._folder.mark_processed(uids)
        raise Crash("killed while flagging")


async def poll_with(
    runtime: ServiceRuntime[Any], mailbox: ImapMailbox, *, crash_after_flag: bool = False
) -> PollReport:
    async with open_folder(mailbox) as folder:
        crashing = CrashingFolder(folder, after=crash_after_flag)
        return await poll_folder(crashing, folder_job(runtime, mailbox))


async def test_a_poll_takes_mail_in_once_and_flags_it_seen(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "ingest")
    uids = append(dovecot, mailbox.folder, BASIC, FIRST, REPLY, AUTO_REPLY)

    report = await poll_mailbox(runtime, mailbox)

    assert report.taken == uids
    assert await counts(runtime, mailbox) == (4, 2)  # the reply joins its case; the auto-reply opens none
    assert all("\\Seen" in f for f in flags(dovecot, mailbox.folder).values())
    assert (await poll_mailbox(runtime, mailbox)).taken == []
    assert await counts(runtime, mailbox) == (4, 2)


async def test_a_crash_between_commit_and_flag_neither_doubles_nor_loses_mail(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "crash-after-commit")
    uids = append(dovecot, mailbox.folder, BASIC, FIRST)

    with pytest.raises(Crash):
        await poll_with(runtime, mailbox)
    assert await counts(runtime, mailbox) == (2, 2)
    assert await unflagged(runtime, mailbox) == uids
    assert not any("\\Seen" in f for f in flags(dovecot, mailbox.folder).values())

    report = await poll_mailbox(runtime, mailbox)

    assert (report.reflagged, report.taken) == (uids, [])
    assert await counts(runtime, mailbox) == (2, 2)
    assert await unflagged(runtime, mailbox) == []
    assert all("\\Seen" in f for f in flags(dovecot, mailbox.folder).values())


class DyingBeforeCommit(CasesUnitOfWork):
    """The process dying once a mail's intake is written, before its transaction commits."""

    async def __aenter__(self) -> "DyingBeforeCommit":
        await super().__aenter__()
        self.imap = _DyingImapState(self.connection)
        return self


class _DyingImapState(SqlImapState):
    async def taken(self, key: FolderKey, uid: int, raw_message_id: UUID | None) -> None:
        await super().taken(key, uid, raw_message_id)  # the last write of the mail's transaction
        raise Crash("killed before commit")


async def test_a_crash_before_commit_takes_the_mail_in_at_the_next_poll(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "crash-before-commit")
    [uid] = append(dovecot, mailbox.folder, BASIC)

    def dying(context: EventContext) -> CasesUnitOfWork:
        return DyingBeforeCommit(runtime.engine, tables=runtime.tables, translate=translate, context=context)

    job = replace(folder_job(runtime, mailbox), bus=lambda: system_bus(dying, work="imap"))
    async with open_folder(mailbox) as folder:
        with pytest.raises(Crash):
            await poll_folder(folder, job)
    assert await counts(runtime, mailbox) == (0, 0)
    assert flags(dovecot, mailbox.folder)[uid] == ""

    assert (await poll_mailbox(runtime, mailbox)).taken == [uid]
    assert await counts(runtime, mailbox) == (1, 1)
    assert "\\Seen" in flags(dovecot, mailbox.folder)[uid]


async def test_a_new_uidvalidity_rereads_the_folder_without_duplicates(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "uidvalidity")
    append(dovecot, mailbox.folder, BASIC, FIRST)
    await poll_mailbox(runtime, mailbox)
    assert await counts(runtime, mailbox) == (2, 2)

    dovecot.renew_uidvalidity(mailbox.folder)
    append(dovecot, mailbox.folder, LATE)
    report = await poll_mailbox(runtime, mailbox)

    assert report.uidvalidity_changed
    assert len(report.taken) == 3  # every mail is new under the new validity...
    assert await counts(runtime, mailbox) == (3, 3)  # ...but only the late one is stored and opens a case
    assert all("\\Seen" in f for f in flags(dovecot, mailbox.folder).values())
    assert (await poll_mailbox(runtime, mailbox)).taken == []


async def test_mail_is_moved_to_the_processed_folder_even_after_a_crash_once_moved(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "move", processed_folder="move-done")
    uids = append(dovecot, mailbox.folder, BASIC, FIRST)

    with pytest.raises(Crash):  # moved on the server, the move never recorded
        await poll_with(runtime, mailbox, crash_after_flag=True)
    report = await poll_mailbox(runtime, mailbox)

    assert report.reflagged == uids
    assert await counts(runtime, mailbox) == (2, 2)
    assert flags(dovecot, mailbox.folder) == {}
    assert len(flags(dovecot, "move-done")) == 2


async def test_the_ingester_polls_until_stopped_and_survives_an_unreachable_server(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "loop")
    unreachable = mailbox.model_copy(update={"address": "down@support.example", "port": free_port()})
    settings = Settings(imap_mailboxes=[unreachable, mailbox], imap_poll_interval_s=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(imap_poller(settings)(runtime, stop))
    append(dovecot, mailbox.folder, BASIC)

    deadline = time.monotonic() + 10
    while await counts(runtime, mailbox) != (1, 1):
        assert time.monotonic() < deadline
        assert not task.done()
        await asyncio.sleep(0.1)

    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert "\\Seen" in next(iter(flags(dovecot, mailbox.folder).values()))


async def intake_rows(runtime: ServiceRuntime[Any], mailbox: ImapMailbox) -> list[dict[str, Any]]:
    """The mailbox's raw messages with what the intake did with them, oldest first."""
    query = (
        select(raw_messages.c.raw, raw_messages.c.outcome, mail_intake.c.state, mail_intake.c.reason)
        .join(mail_intake, mail_intake.c.raw_message_id == raw_messages.c.id)
        .where(raw_messages.c.mailbox == mailbox.address)
        .order_by(raw_messages.c.received_at)
    )
    async with runtime.engine.connect() as connection:
        return [row._asdict() for row in await connection.execute(query)]


async def test_mail_with_nul_bytes_is_taken_once_and_never_fetched_again(runtime, dovecot):
    mailbox = mailbox_for(dovecot, "nul")
    raws = [path.read_bytes() for path in sorted(MAILS.glob("crm__nul-in-*.eml"))]
    uids = append_raw(dovecot, mailbox.folder, *raws)

    report = await poll_mailbox(runtime, mailbox)

    assert report.taken == uids
    rows = await intake_rows(runtime, mailbox)
    for raw, row in zip(raws, rows, strict=True):
        # kept as the server served it (Dovecot hands NUL out as 0x80 over IMAP, RFC 3501 4.3)
        assert bytes(row["raw"]) in (raw, raw.replace(b"\x00", b"\x80"))
        assert (row["state"], row["outcome"]) in (("accepted", "case_opened"), ("quarantined", "rejected"))
        assert row["state"] == "accepted" or row["reason"]
    assert all("\\Seen" in f for f in flags(dovecot, mailbox.folder).values())
    assert (await poll_mailbox(runtime, mailbox)).taken == []
    assert len(await intake_rows(runtime, mailbox)) == len(raws)


async def test_a_mail_the_database_refuses_is_quarantined_and_the_poller_moves_on(runtime, dovecot):
    """A rule of the database (a check added for the test) refuses one mail's case message for good:
    it is kept raw in quarantine, the mails after it are taken in, and no poll fetches it again."""
    mailbox = mailbox_for(dovecot, "refused")
    refused = (
        b"From: Uma Customer <uma@customer.example>\r\nSubject: refused-imap\r\n"
        b"Message-ID: <refused-imap@customer.example>\r\n\r\nHello.\r\n"
    )
    uids = append_raw(
        dovecot, mailbox.folder, (EMAILS / BASIC).read_bytes(), refused, (EMAILS / FIRST).read_bytes()
    )
    check = (
        "ALTER TABLE case_messages ADD CONSTRAINT refused_for_the_test CHECK (subject NOT LIKE 'refused-%')"
    )
    async with runtime.engine.begin() as connection:
        await connection.execute(text(check))
    try:
        report = await poll_mailbox(runtime, mailbox)
        again = await poll_mailbox(runtime, mailbox)
    finally:
        async with runtime.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE case_messages DROP CONSTRAINT refused_for_the_test"))

    assert (report.taken, again.taken) == (uids, [])
    assert await counts(runtime, mailbox) == (3, 2)
    kept = [row for row in await intake_rows(runtime, mailbox) if row["state"] == "quarantined"]
    assert [(bytes(r["raw"]), r["reason"]) for r in kept] == [
        (refused, "the intake failed: CheckViolationError (SQLSTATE 23514)")
    ]
    assert all("\\Seen" in f for f in flags(dovecot, mailbox.folder).values())
