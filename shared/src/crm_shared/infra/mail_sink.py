"""A development SMTP server that keeps every message it receives as a .eml file (and in memory).

The notifier sends through it when no real SMTP server is configured; e2e tests read what arrived.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any


@dataclass
class MailSink:
    host: str = "127.0.0.1"
    port: int = 2526
    directory: Path | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    _controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def keep(self, raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        if self.directory is not None:
            (self.directory / f"{len(self.messages):05d}.eml").write_bytes(raw)


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._sink.keep(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"
