"""Polling helpers: the system is asynchronous, so e2e assertions wait (boundedly) for effects."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import TypeVar

from crm_shared.auth import Role
from crm_shared.infra.mail_sink import MailSink
from crm_shared.testing.service import auth_headers

T = TypeVar("T")
TIMEOUT_S = 45.0

ADMIN = auth_headers("e2e-admin", Role.ADMIN)
SALES = auth_headers("alice", Role.SALES)
CSM = auth_headers("bruno", Role.CSM)
SUPPORT = auth_headers("carla", Role.SUPPORT)


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout_s: float = TIMEOUT_S) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = await probe()
        if result:
            return result
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


async def mail_to(sink: MailSink, address: str, subject_part: str) -> EmailMessage:
    async def find() -> EmailMessage | None:
        for message in sink.messages:
            if address in str(message["To"]) and subject_part in str(message["Subject"]):
                return message
        return None

    return await eventually(find, f"a mail to {address} about {subject_part!r}")
