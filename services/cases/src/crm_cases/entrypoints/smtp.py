"""Inbound mail over SMTP (aiosmtpd on the service's event loop).

A message is answered `250` only once it is committed: taken in, or kept raw in quarantine when the
intake cannot take it (intake_guard). `451` (try later) only when not even that could be written,
so a sending server retries it; aiosmtpd itself refuses oversized mail with `552`. A recipient that
is not a valid address is refused at RCPT (`553`); lines ended by a bare LF are read as CRLF
(smtp_lines).
"""

import asyncio
import contextlib
import re
from collections.abc import Callable
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from crm_cases.config import Settings
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.domain.mail_text import valid_address
from crm_cases.entrypoints.smtp_lines import LenientLineEnds
from crm_cases.service_layer.intake import DEFAULT_POLICY
from crm_cases.service_layer.intake_admin import policy_of
from crm_cases.service_layer.intake_guard import IntakeUnavailable, take_in
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.events import EventContext
from crm_shared.runtime import BackgroundTask, ServiceRuntime
from crm_shared.service_layer import system_bus

log = structlog.get_logger()

ACCEPTED = "250 2.0.0 Message accepted"
TRY_LATER = "451 4.3.0 Temporary failure, please try again later"
BAD_RECIPIENT = "553 5.1.3 Recipient address syntax is not valid"
NULL_SENDER = "null-sender@reverse-path.invalid"
_NULL_PATH = re.compile(r"^\s*FROM:\s*<>", re.IGNORECASE)

UowFactory = Callable[[EventContext], CasesUnitOfWork]


class IntakeSMTP(SMTP):
    """aiosmtpd refuses `MAIL FROM:<>`, yet bounces and auto-replies must use that null reverse path
    (RFC 5321 4.5.5, RFC 3834): it is accepted here and handed on as an empty envelope sender."""

    async def smtp_MAIL(self, arg: str) -> None:
        if arg and _NULL_PATH.match(arg):
            arg = _NULL_PATH.sub(f"FROM:<{NULL_SENDER}>", arg, count=1)
        await super().smtp_MAIL(arg)


class LenientIntakeSMTP(IntakeSMTP, LenientLineEnds):
    """IntakeSMTP that reads lines ended by a bare LF as ended by CRLF (smtp_lines)."""


class MailIntake:
    """The aiosmtpd handler: each message through a system bus of its own (its correlation id);
    mailbox = the (first) recipient address."""

    def __init__(self, uow_factory: UowFactory, policy: IntakePolicy = DEFAULT_POLICY) -> None:
        self._uow_factory = uow_factory
        self._policy = policy

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        """The recipient names the mailbox (and its team): one that is no valid address (a control
        character in it, say) could never be one of ours, and is refused for good."""
        if not valid_address(address):
            return BAD_RECIPIENT
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw: bytes = envelope.original_content or b""
        sender = "" if envelope.mail_from == NULL_SENDER else envelope.mail_from
        bus = system_bus(self._uow_factory, work="smtp")
        structlog.contextvars.bind_contextvars(request_id=bus.context.correlation_id)
        try:
            result = await take_in(
                bus,
                raw=raw,
                mailbox=envelope.rcpt_tos[0],
                envelope_sender=sender,
                source="smtp",
                policy=self._policy,
            )
        except IntakeUnavailable as exc:  # not even kept raw: the sender keeps it and retries
            log.error("cases.mail.failed", error=str(exc), size=len(raw))
            return TRY_LATER
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        log.info(
            "cases.mail.received",
            outcome=result.outcome or "duplicate",
            raw_message_id=str(result.raw_message_id) if result.raw_message_id else None,
            case_id=str(result.case.id) if result.case else None,
            size=len(raw),
        )
        return ACCEPTED


def mail_receiver(settings: Settings) -> BackgroundTask:
    """The SMTP server as a background task of the ingest role, stopped with the process."""

    async def receive_mail(runtime: ServiceRuntime[Any], stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        intake = MailIntake(runtime.uow, policy_of(settings))
        protocol = LenientIntakeSMTP if settings.smtp_accept_bare_lf else IntakeSMTP
        try:
            server = await loop.create_server(
                lambda: protocol(
                    intake,
                    data_size_limit=settings.smtp_max_message_bytes,
                    enable_SMTPUTF8=True,
                    hostname=settings.smtp_hostname,
                    loop=loop,
                ),
                host=settings.smtp_host,
                port=settings.smtp_port,
            )
        except OSError:
            log.exception("cases.smtp.bind_failed", host=settings.smtp_host, port=settings.smtp_port)
            raise
        log.info("cases.smtp.listening", host=settings.smtp_host, port=settings.smtp_port)
        try:
            await stop.wait()
        finally:
            server.close()  # stop accepting; a message in DATA finishes (or is retried by its sender)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), timeout=10)
            log.info("cases.smtp.stopped")

    return receive_mail
