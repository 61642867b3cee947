"""Parsing edge cases: charsets, broken MIME, huge headers, deep nesting, sanitised HTML, quotes."""

from email.message import EmailMessage

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain.mail import InboundMail, UnusableMail


def parsed(raw: bytes, **kwargs) -> InboundMail:
    mail = parse_mail(raw, **kwargs)
    assert isinstance(mail, InboundMail), mail
    return mail


def test_an_unknown_charset_is_replaced_not_fatal():
    raw = (
        b"From: a@x.example\r\nSubject: =?x-unknown?Q?caf=E9?=\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\ncaf\xe9 ok\r\n"
    )
    mail = parsed(raw)
    assert "ok" in mail.text


def test_a_200_kb_header_is_cut_and_flagged():
    raw = b"From: a@x.example\r\nSubject: " + b"A" * 200_000 + b"\r\n\r\nbody\r\n"
    mail = parsed(raw)
    assert len(mail.subject) <= 500
    assert "header truncated: Subject" in mail.flags


def test_deep_nesting_is_flagged_and_the_text_still_found():
    depth = 60
    head = b"From: a@x.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    parts = [b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth)]
    tail = [b"\r\n--b%d--\r\n" % i for i in reversed(range(depth))]
    raw = head + b"".join(parts) + b"Content-Type: text/plain\r\n\r\ndeep text" + b"".join(tail)
    mail = parsed(raw)
    assert any("nesting deeper" in f for f in mail.flags)


def test_a_broken_boundary_keeps_the_raw_text():
    raw = (
        b"From: a@x.example\r\nSubject: b\r\n"
        b"Content-Type: multipart/mixed; boundary=zz\r\n\r\nno parts at all\r\n"
    )
    mail = parsed(raw)
    assert "no parts at all" in mail.text
    assert any(f.startswith("defect: ") for f in mail.flags)


def test_garbage_is_unusable_not_a_crash():
    assert isinstance(parse_mail(b"\x00\xff" * 1000), UnusableMail)
    assert isinstance(parse_mail(b""), UnusableMail)


def test_an_ambiguous_from_is_never_read_from_its_display_text():
    """CVE-2023-27043: only the one angle address of an invalid header counts; none when several."""
    mail = parse_mail(b"From: alice@example.com <bob@example.com>, eve@evil.example\r\n\r\nhi\r\n")
    assert isinstance(mail, InboundMail)
    assert mail.sender_email == "bob@example.com"
    twice = parse_mail(b"From: <a@x.example> <b@y.example> @\r\n\r\nhi\r\n")
    assert isinstance(twice, UnusableMail)


def test_html_is_sanitised_and_a_text_version_derived():
    message = EmailMessage()
    message["From"], message["Subject"] = "a@x.example", "html"
    message.set_content(
        '<p onclick="steal()">Hello <b>there</b><script>alert(1)</script>'
        '<a href="javascript:evil()">x</a><img src="cid:logo"></p>',
        subtype="html",
    )
    mail = parsed(message.as_bytes())
    assert mail.html is not None
    assert "script" not in mail.html
    assert "onclick" not in mail.html
    assert "javascript" not in mail.html
    assert 'src="cid:logo"' in mail.html
    assert "Hello there" in mail.text
    assert "alert" not in mail.text


def _reply(body: str) -> InboundMail:
    message = EmailMessage()
    message["From"], message["Subject"] = "a@x.example", "Re: q"
    message.set_content(body)
    return parsed(message.as_bytes())


def test_a_french_reply_is_separated_from_its_quote():
    mail = _reply(
        "Merci, c'est réglé.\n\nLe lun. 3 mars 2025 à 10:00, Support <s@crm.example> a écrit :\n"
        "> Bonjour,\n> essayez ceci.\n"
    )
    assert mail.text == "Merci, c'est réglé."
    assert "a écrit" in mail.quoted
    assert "essayez ceci" in mail.quoted


def test_an_english_reply_loses_its_quote_and_signature():
    mail = _reply(
        "Thanks, it works.\n\n-- \nBob\n\nOn Mon, Mar 3, 2025 at 10:00 AM Support wrote:\n> try it\n"
    )
    assert mail.text == "Thanks, it works."
    assert "Bob" in mail.quoted
    assert "> try it" in mail.quoted


def test_attachments_over_the_limit_are_dropped_and_flagged():
    message = EmailMessage()
    message["From"], message["To"], message["Cc"] = "a@x.example", "Help <h@crm.example>", "c@x.example,"
    message["Subject"] = "files"
    message.set_content("see attached")
    message.add_attachment(b"%PDF small", maintype="application", subtype="pdf", filename="small.pdf")
    message.add_attachment(b"x" * 5000, maintype="application", subtype="zip", filename="big.zip")
    mail = parsed(message.as_bytes(), attachment_max_bytes=1024)
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [
        ("small.pdf", "application/pdf", 10)
    ]
    assert any("big.zip" in f for f in mail.flags)
    assert (mail.to, mail.cc) == (("h@crm.example",), ("c@x.example",))
