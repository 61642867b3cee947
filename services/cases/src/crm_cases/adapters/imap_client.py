"""An IMAP folder over the standard library's imaplib, each blocking call run in a worker thread.

imaplib is used rather than an asyncio IMAP client: it ships with Python, speaks every command the
poller needs (UID SEARCH/FETCH/STORE/MOVE/COPY/EXPUNGE), and a poll is a handful of short round trips
per mail, so a thread per mailbox costs nothing; the socket timeout bounds every call.
"""

import asyncio
import contextlib
import imaplib
import re
import ssl
from collections.abc import AsyncIterator, Sequence
from typing import Any

from crm_cases.config import ImapMailbox

TIMEOUT_S = 30.0
_UID_VALUE = re.compile(rb"\bUID (\d+)")


class ImapError(Exception):
    """The server refused a command (the poll fails and is retried later)."""


class ImapFolderClient:
    """One logged-in connection with one folder selected; implements the service layer's ImapFolder."""

    def __init__(
        self, connection: imaplib.IMAP4, mailbox: ImapMailbox, uidvalidity: int, capabilities: frozenset[str]
    ) -> None:
        self._connection = connection
        self._mailbox = mailbox
        self._uidvalidity = uidvalidity
        self._capabilities = capabilities

    @property
    def uidvalidity(self) -> int:
        return self._uidvalidity

    async def uids_from(self, first: int) -> list[int]:
        data = await self._call("uid", "SEARCH", "UID", f"{first}:*")
        return sorted(int(uid) for uid in b" ".join(d for d in data if isinstance(d, bytes)).split())

    async def fetch(self, uid: int) -> bytes | None:
        """The message exactly as stored (BODY.PEEK[] leaves \\Seen alone); None when it is gone."""
        data = await self._call("uid", "FETCH", str(uid), "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and b"BODY[]" in item[0]:
                found = _UID_VALUE.search(item[0])
                if found is None or int(found.group(1)) == uid:
                    return bytes(item[1])
        return None

    async def mark_processed(self, uids: Sequence[int]) -> None:
        """Flag \\Seen, or move to the processed folder (UID MOVE; else COPY, \\Deleted, expunge)."""
        uid_set = ",".join(str(uid) for uid in sorted(uids))
        target = self._mailbox.processed_folder
        if target is None:
            await self._call("uid", "STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)")
        elif "MOVE" in self._capabilities:
            await self._call("uid", "MOVE", uid_set, quote(target))
        else:
            await self._call("uid", "COPY", uid_set, quote(target))
            await self._call("uid", "STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
            if "UIDPLUS" in self._capabilities:
                await self._call("uid", "EXPUNGE", uid_set)
            else:
                await self._call("expunge")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._connection.logout)

    async def _call(self, command: str, *args: str) -> list[Any]:
        return await asyncio.to_thread(_checked, self._connection, command, *args)


@contextlib.asynccontextmanager
async def open_folder(mailbox: ImapMailbox, timeout_s: float = TIMEOUT_S) -> AsyncIterator[ImapFolderClient]:
    """Connect, log in and select the mailbox's folder (creating its processed folder if missing)."""
    client = await asyncio.to_thread(_open, mailbox, timeout_s)
    try:
        yield client
    finally:
        await client.close()


def quote(name: str) -> str:
    """An IMAP quoted string (folder names may hold spaces)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _open(mailbox: ImapMailbox, timeout_s: float) -> ImapFolderClient:
    if mailbox.tls:
        context = ssl.create_default_context()
        connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=context, timeout=timeout_s
        )
    else:
        connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout_s)
    try:
        _checked(connection, "login", mailbox.username, mailbox.password.get_secret_value())
        capabilities = _capabilities(_checked(connection, "capability"))
        if mailbox.processed_folder is not None:
            typ, data = connection.create(quote(mailbox.processed_folder))
            if typ != "OK" and b"ALREADYEXISTS" not in b" ".join(d for d in data if isinstance(d, bytes)):
                raise ImapError(f"CREATE {mailbox.processed_folder}: {typ} {data!r}")
        _checked(connection, "select", quote(mailbox.folder))
        _, values = connection.response("UIDVALIDITY")
        if not values or values[0] is None:
            raise ImapError(f"SELECT {mailbox.folder}: the server gave no UIDVALIDITY")
        return ImapFolderClient(connection, mailbox, int(values[0]), capabilities)
    except BaseException:
        with contextlib.suppress(Exception):
            connection.logout()
        raise


def _checked(connection: imaplib.IMAP4, command: str, *args: str) -> list[Any]:
    typ, data = getattr(connection, command)(*args)
    if typ != "OK":
        raise ImapError(f"{command.upper()} {args[:1]!r}: {typ} {data!r}")
    return list(data)


def _capabilities(data: list[Any]) -> frozenset[str]:
    """The capabilities after login, which servers extend (imaplib keeps only the greeting's)."""
    words = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
    return frozenset(words.upper().split())
