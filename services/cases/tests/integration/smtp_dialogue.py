"""An SMTP client that sends bytes exactly as given, for what well-behaved clients refuse to send
(aiosmtplib turns bare LFs into CRLF and will not put a control character in a command)."""

import asyncio
from dataclasses import dataclass, field


@dataclass
class Dialogue:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    replies: list[str] = field(default_factory=list)

    async def say(self, line: bytes) -> str:
        """Send one command line (CRLF added) and return the server's reply."""
        self.writer.write(line + b"\r\n")
        return await self.reply()

    async def reply(self) -> str:
        """One reply, multi-line ones joined (`250-...` lines up to the `250 ...` one)."""
        lines: list[str] = []
        while True:
            line = (await asyncio.wait_for(self.reader.readline(), timeout=30)).decode()
            lines.append(line.rstrip("\r\n"))
            if len(line) < 4 or line[3] != "-":
                break
        self.replies.append("\n".join(lines))
        return self.replies[-1]

    async def mail(self, sender: bytes, recipient: bytes, data: bytes) -> str:
        """One transaction: `data` goes out as it is, then the end of data `<CRLF>.<CRLF>`."""
        for command in (b"MAIL FROM:<" + sender + b">", b"RCPT TO:<" + recipient + b">", b"DATA"):
            answer = await self.say(command)
            if not answer.startswith(("250", "354")):
                return answer
        self.writer.write(data + b"\r\n.\r\n")
        return await self.reply()


async def open_dialogue(port: int) -> Dialogue:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    dialogue = Dialogue(reader, writer)
    await dialogue.reply()  # the greeting
    await dialogue.say(b"EHLO client.test.example")
    return dialogue


async def close_dialogue(dialogue: Dialogue) -> None:
    await dialogue.say(b"QUIT")
    dialogue.writer.close()
    await dialogue.writer.wait_closed()
