"""The SMTP line reader: DATA lines end at CRLF or at a bare LF and come out ended by CRLF; only
<CRLF>.<CRLF> ends the data; the line limit still holds."""

import asyncio

import pytest

from crm_cases.entrypoints.smtp_lines import BareLineFeedReader


async def data_lines(stream: bytes, limit: int = 1001) -> list[bytes]:
    """The lines aiosmtpd's DATA loop would read, up to the end of data."""
    reader = BareLineFeedReader(limit=limit)
    reader.feed_data(stream)
    reader.feed_eof()
    lines = [await reader.readuntil(b"\r\n")]
    while lines[-1] != b".\r\n":
        lines.append(await reader.readuntil(b"\r\n"))
    return lines


async def test_bare_lf_lines_come_out_ended_by_crlf():
    lines = await data_lines(b"Subject: a\nmixed\r\n\nbody\r\n.\r\n")
    assert lines == [b"Subject: a\r\n", b"mixed\r\n", b"\r\n", b"body\r\n", b".\r\n"]


@pytest.mark.parametrize(
    "stream", [b"x\n.\nafter\r\n.\r\n", b"x\n.\r\nafter\r\n.\r\n", b"x\r\n.\nafter\r\n.\r\n"]
)
async def test_a_dot_line_touching_a_bare_lf_is_content_not_the_end(stream):
    lines = await data_lines(stream)
    assert lines == [b"x\r\n", b"..\r\n", b"after\r\n", b".\r\n"]  # `..` is read as "." by aiosmtpd


async def test_each_line_is_held_to_the_limit_not_the_whole_mail():
    many = b"".join(b"%04d %s\n" % (n, b"y" * 60) for n in range(200)) + b"\r\n.\r\n"
    assert len(await data_lines(many, limit=100)) == 202
    with pytest.raises(asyncio.LimitOverrunError):
        await data_lines(b"z" * 150 + b"\n.\r\n", limit=100)


async def test_commands_are_read_as_before():
    reader = BareLineFeedReader(limit=100)
    reader.feed_data(b"EHLO a\nMAIL FROM:<a@x.example>\r\n")
    assert await reader.readuntil() == b"EHLO a\n"
    assert await reader.readuntil() == b"MAIL FROM:<a@x.example>\r\n"
