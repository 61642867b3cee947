"""Mail of support cases: the case tag in subjects and the headers that thread a reply.

The cases service threads a customer's answer by the Message-IDs it quotes or, failing that, by the
`[CASE-n]` tag of its subject, so every mail about a case carries both.
"""

import re
from collections.abc import Iterable, Sequence
from email.utils import getaddresses

CASE_PREFIX = "CASE-"


def case_tag(number: str) -> str:
    """`CASE-1042` (or a bare `1042`) -> `[CASE-1042]`."""
    number = number.strip()
    return f"[{number if number.upper().startswith(CASE_PREFIX) else CASE_PREFIX + number}]"


def tagged_subject(number: str, subject: str | None) -> str:
    """The subject with the case tag in front, unless it already carries it."""
    tag = case_tag(number)
    subject = " ".join((subject or "").split())
    if re.search(re.escape(tag), subject, flags=re.IGNORECASE):
        return subject
    return f"{tag} {subject}".rstrip()


def msg_id(value: str | None) -> str | None:
    """A Message-ID as a header writes it: one `<...>` token, no folding whitespace; None if empty."""
    token = "".join((value or "").split())
    if not token:
        return None
    return token if token.startswith("<") and token.endswith(">") else f"<{token.strip('<>')}>"


def threading_headers(in_reply_to: str | None, references: Iterable[str]) -> dict[str, str]:
    """In-Reply-To and References of a reply, as given (normalised only), each only when present."""
    headers: dict[str, str] = {}
    if parent := msg_id(in_reply_to):
        headers["In-Reply-To"] = parent
    thread = [i for i in (msg_id(r) for r in references) if i]
    if thread:
        headers["References"] = " ".join(dict.fromkeys(thread))
    return headers


def bare_addresses(values: Sequence[str]) -> list[str]:
    """`["Ada <ada@x.example>", "bob@y.example"]` -> the addresses alone, lower-cased, without repeats."""
    found = (address.strip().lower() for _, address in getaddresses(list(values)))
    return list(dict.fromkeys(a for a in found if a))
