"""The IMAP poller, an ingester of the `ingest` role: every configured mailbox is polled on its own
loop, with backoff on errors; a failing mailbox never stops the others nor the process."""

import asyncio
import contextlib
from typing import Any

import structlog

from crm_cases.adapters.imap_client import open_folder
from crm_cases.config import ImapMailbox, Settings
from crm_cases.service_layer.imap_polling import FolderJob, PollReport, poll_folder
from crm_cases.service_layer.intake import DEFAULT_POLICY
from crm_cases.service_layer.intake_admin import policy_of
from crm_shared.runtime import BackgroundTask, ServiceRuntime
from crm_shared.service_layer import system_bus

log = structlog.get_logger()

MAX_BACKOFF_S = 300.0


def folder_job(runtime: ServiceRuntime[Any], mailbox: ImapMailbox) -> FolderJob:
    """Polling one mailbox's folder in this runtime: its work runs through system buses."""
    settings = runtime.settings
    return FolderJob(
        mailbox=mailbox.address,
        folder=mailbox.folder,
        bus=lambda: system_bus(runtime.uow, work="imap"),
        policy=policy_of(settings) if isinstance(settings, Settings) else DEFAULT_POLICY,
    )


async def poll_mailbox(
    runtime: ServiceRuntime[Any], mailbox: ImapMailbox, stop: asyncio.Event | None = None
) -> PollReport:
    """One poll: connect, take in what is new, flag it, log out."""
    async with open_folder(mailbox) as folder:
        report = await poll_folder(folder, folder_job(runtime, mailbox), stop)
    if report.uidvalidity_changed:
        log.warning("cases.imap.uidvalidity_changed", mailbox=mailbox.address, folder=mailbox.folder)
    if report.taken or report.reflagged:
        log.info(
            "cases.imap.polled",
            mailbox=mailbox.address,
            taken=len(report.taken),
            reflagged=len(report.reflagged),
        )
    return report


async def run_mailbox(
    runtime: ServiceRuntime[Any], mailbox: ImapMailbox, stop: asyncio.Event, interval_s: float
) -> None:
    """Poll until stopped: again at once while a batch was full, after `interval_s` otherwise, and with
    doubling delays (up to MAX_BACKOFF_S) while the server or the database fails."""
    failures = 0
    while not stop.is_set():
        try:
            report = await poll_mailbox(runtime, mailbox, stop)
        except Exception as exc:  # any failure: log, back off, retry; never end the loop
            failures += 1
            delay = min(interval_s * 2 ** (failures - 1), max(MAX_BACKOFF_S, interval_s))
            log.warning(
                "cases.imap.poll_failed",
                mailbox=mailbox.address,
                error=f"{type(exc).__name__}: {exc}",
                failures=failures,
                retry_in_s=delay,
            )
        else:
            failures = 0
            delay = 0.0 if report.more else interval_s
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)


def imap_poller(settings: Settings) -> BackgroundTask:
    """The poller of every mailbox in `settings.imap_mailboxes` (idle until stopped when there is none)."""

    async def poll_mailboxes(runtime: ServiceRuntime[Any], stop: asyncio.Event) -> None:
        loops = [
            run_mailbox(runtime, mailbox, stop, settings.imap_poll_interval_s)
            for mailbox in settings.imap_mailboxes
        ]
        log.info("cases.imap.started", mailboxes=[m.address for m in settings.imap_mailboxes])
        await asyncio.gather(stop.wait(), *loops)
        log.info("cases.imap.stopped")

    return poll_mailboxes
