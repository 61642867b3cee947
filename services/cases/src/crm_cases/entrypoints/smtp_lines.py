"""Mail whose lines end with a bare LF instead of CRLF, read as its CRLF twin.

aiosmtpd reads DATA up to CRLF only, so a mail written with bare LFs reads as one long line, and any
such mail over 1000 bytes is refused with a misleading `500 Line too long`. Here a data line also
ends at a bare LF and is handed on ended by CRLF, as Postfix does with `smtpd_forbid_bare_newline =
normalize`: the mail is stored, parsed and threaded exactly as if it had been sent with CRLF.

As there, the end of the data is still only `<CRLF>.<CRLF>`: a dot alone on a line that a bare LF
ends, or that follows a bare LF, is a line of the mail (read as "."), never its end. Otherwise a
relay that passes bare LFs through would let one mail smuggle a second, forged one (SMTP smuggling).
"""

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asyncio.streams import _ReaduntilBuffer

CRLF = b"\r\n"
_END_OF_DATA = b".\r\n"
_STUFFED_DOT = b"..\r\n"  # aiosmtpd drops a leading dot (RFC 5321 4.5.2): this reads as "."


class BareLineFeedReader(asyncio.StreamReader):
    """The stream reader of one SMTP connection; DATA lines end at CRLF or at a bare LF."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(limit=limit, loop=loop)
        self._after_bare_lf = False

    async def readuntil(self, separator: "_ReaduntilBuffer" = b"\n") -> bytes:
        if separator != CRLF:  # a command: aiosmtpd reads it up to LF already
            self._after_bare_lf = False
            return await super().readuntil(separator)
        line = await super().readuntil(b"\n")
        bare = not line.endswith(CRLF)
        if bare:
            line = line[:-1] + CRLF
        if line == _END_OF_DATA and (bare or self._after_bare_lf):
            line = _STUFFED_DOT
        self._after_bare_lf = bare
        return line


class LenientLineEnds(asyncio.StreamReaderProtocol):
    """A base to put after aiosmtpd's `SMTP` in a subclass: the protocol then reads through a
    BareLineFeedReader (same line limit) instead of the plain StreamReader `SMTP` hands it."""

    line_length_limit: int

    def __init__(
        self,
        stream_reader: asyncio.StreamReader,
        client_connected_cb: Callable[..., Any] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        reader = BareLineFeedReader(limit=self.line_length_limit, loop=loop)
        super().__init__(reader, client_connected_cb, loop)
