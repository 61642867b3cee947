"""Cases suite, C2 through the IMAP poller: the backlog in a real Dovecot folder, taken in by the service.

A throwaway Dovecot (crm_shared.infra.dovecot, Debian's dovecot-imapd) on loopback gets the backlog in
one folder. The mails are delivered into the folder's maildir as a local delivery agent does (APPEND
one by one through imaplib took about 45 s for 10,000 mails in a trial, most of it waiting for each
literal's continuation), then one SELECT has Dovecot index them, so the poller's first poll does not
pay for that. Then the cases service runs in-process with its ingest role and that one mailbox
configured: its poller takes the folder in (batches of 100 UIDs: fetch, claim the UID and run the intake
in one transaction, commit; flag the batch \\Seen). Timed by a reader counting raw_messages every
100 ms: first commit seen to last commit seen.
"""

import asyncio
import dataclasses
import imaplib
import os
import time
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.cases_corpus import Load
from bench.cases_counts import checks, stored
from bench.stack import Stack, settled
from bench.stats import rate
from crm_cases.adapters.imap_client import quote
from crm_cases.adapters.imap_tables import imap_uids
from crm_cases.adapters.tables import raw_messages
from crm_cases.bootstrap import MIGRATIONS, definition
from crm_cases.config import ImapMailbox, Settings
from crm_shared.db.migrations import upgrade
from crm_shared.infra.dovecot import DovecotMissing, DovecotServer, dovecot_binary, dovecot_server
from crm_shared.infra.process import free_port
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import running_service

FOLDER = "Backlog"
WATCH_EVERY_S = 0.1


async def measure(stack: Stack, load: Load, mailbox: str, limit_s: float) -> dict[str, Any]:
    try:
        dovecot_binary()
    except DovecotMissing as exc:
        return {"skipped": str(exc)}
    with dovecot_server() as server:
        delivered_s = await asyncio.to_thread(_deliver, server, load.messages)
        settings = Settings(
            database_url=stack.database("cases_imap"),
            kafka=stack.kafka_settings(),
            log_format="json",
            smtp_port=free_port(),
            imap_mailboxes=[_mailbox(server, mailbox)],
            imap_poll_interval_s=1.0,
        )
        await asyncio.to_thread(upgrade, database_url=settings.database_url, script_location=MIGRATIONS)
        service = dataclasses.replace(definition(settings), migrations=None)
        quiet = await settled()
        async with running_service(service, roles=frozenset({ProcessRole.INGEST})) as cases:
            started = time.time()
            seen = await _watch(cases.runtime.engine, len(load.messages), started + limit_s)
            found = await stored(cases.runtime.engine, mailbox)
            flagged = await _flagged(cases.runtime.engine, len(load.messages))
    first, last = seen
    return {
        "settled": quiet,
        "delivered_to_maildir_s": round(delivered_s, 2),
        "service_start_to_first_commit_s": round(first - started, 2),
        "first_to_last_commit_s": round(last - first, 2),
        "per_s": rate(len(load.messages), last - started),
        "stored": found,
        "flagged_on_the_server": flagged,
        "checks": [
            *checks(found, len(load.messages), load.expected),
            _flag_check(flagged, len(load.messages)),
        ],
    }


def _flag_check(flagged: int, count: int) -> dict[str, Any]:
    return {
        "what": "UIDs flagged on the server = mails",
        "expected": count,
        "found": flagged,
        "ok": flagged == count,
    }


def _mailbox(server: DovecotServer, address: str) -> ImapMailbox:
    return ImapMailbox(
        address=address,
        host=server.host,
        port=server.port,
        tls=False,
        username=server.username,
        password=SecretStr(server.password),
        folder=FOLDER,
    )


def _deliver(server: DovecotServer, messages: list[bytes]) -> float:
    """Create the folder over IMAP, write the mails into its maildir's new/ (owned as Dovecot's own
    mail is), then SELECT it once so that Dovecot indexes them."""
    started = time.perf_counter()
    connection = imaplib.IMAP4(server.host, server.port)
    try:
        connection.login(server.username, server.password)
        if connection.create(quote(FOLDER))[0] != "OK":
            raise RuntimeError(f"CREATE {FOLDER} failed")
        folder = server.folder_dir(FOLDER)
        owner = (folder / "new").stat()
        for n, raw in enumerate(messages):
            path = folder / "new" / f"{int(time.time())}.M{n}P{os.getpid()}.bench"
            path.write_bytes(raw)
            os.chown(path, owner.st_uid, owner.st_gid)
        typ, data = connection.select(quote(FOLDER))
        if typ != "OK" or int(data[0] or 0) != len(messages):
            raise RuntimeError(f"SELECT {FOLDER}: {typ} {data!r}, expected {len(messages)} mails")
    finally:
        connection.logout()
    return time.perf_counter() - started


async def _watch(engine: AsyncEngine, count: int, deadline: float) -> tuple[float, float]:
    """(first commit seen, last commit seen): raw_messages counted every WATCH_EVERY_S."""
    first: float | None = None
    async with engine.connect() as connection:
        while time.time() < deadline:
            query = select(func.count()).select_from(raw_messages)
            stored_now = (await connection.execute(query)).scalar_one()
            await connection.rollback()  # a fresh snapshot each time
            now = time.time()
            if stored_now and first is None:
                first = now
            if stored_now >= count and first is not None:
                return first, now
            await asyncio.sleep(WATCH_EVERY_S)
    raise TimeoutError(f"the poller took in fewer than {count} mails in time")


async def _flagged(engine: AsyncEngine, count: int, limit_s: float = 15.0) -> int:
    """UIDs recorded as flagged on the server; the last batch is flagged just after its commits."""
    deadline = time.monotonic() + limit_s
    query = select(func.count()).where(imap_uids.c.flagged_at.is_not(None))
    async with engine.connect() as connection:
        while True:
            flagged = int((await connection.execute(query)).scalar_one())
            await connection.rollback()
            if flagged >= count or time.monotonic() > deadline:
                return flagged
            await asyncio.sleep(WATCH_EVERY_S)
