"""Cases suite: the test mails of tests/data/emails as load, each copy made a mail of its own.

A copy rewrites every `@` of the address and id headers (From, Sender, Reply-To, To, Cc, Return-Path,
Message-ID, In-Reply-To, References) to `@<tag>.` and ends the header block with `X-Bench-Copy: <tag>`:
each copy has its own senders (the per-sender rate limit never trips), its own Message-IDs (the dedupe
keeps it, and example06/07 answer the same copy's example01) and bytes of its own (even the one mail
without any address). Nothing else changes, so a copy ends as its original does. What each original
becomes is predicted once with the service's own parse and classification (79 parses), which lets a
run check what was stored without parsing 10,000 mails again.
"""

import bisect
import itertools
import random
import re
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.domain.mail import InboundMail, MailKind, classify, thread_candidates
from crm_cases.domain.model import IntakeOutcome

EMAILS = Path(__file__).resolve().parents[1] / "tests" / "data" / "emails"
ENVELOPE_SENDER = "relay@bench.example"
ADDRESS_HEADERS = frozenset(
    {"from", "sender", "reply-to", "to", "cc", "return-path", "message-id", "in-reply-to", "references"}
)
IGNORED = {
    MailKind.AUTO_REPLY: IntakeOutcome.IGNORED_AUTO_REPLY,
    MailKind.BOUNCE: IntakeOutcome.IGNORED_BOUNCE,
}
REPLY_GAP = 50
"""A reply comes at least this many mails after the one it answers (replies are not instantaneous;
and concurrent workers must have committed the original, or the reply opens a case of its own)."""
REPLY_WINDOW = 200
SENDER_MAX = 10
"""Mails of one sender in a backlog (corpus copies and replies), well under the rate limit (20 an hour)."""
TEMPLATE_MAX_BYTES = 16_000
_BLANK = re.compile(rb"\r?\n\r?\n")
_THREAD = ("mikel__example01.eml", "mikel__example06.eml", "mikel__example07.eml")


@dataclass(frozen=True)
class Original:
    name: str
    raw: bytes
    outcome: IntakeOutcome
    """What the intake makes of it, fed in order after the mails before it."""
    message_id: str | None
    sender: str | None
    template: bool
    """A plain customer mail (no thread headers, no defects, small): the body of synthetic replies."""


@dataclass(frozen=True)
class Load:
    messages: list[bytes]
    expected: Counter[str]
    replies: int = 0


def feed_order() -> list[str]:
    """The manifest's files, sorted: that puts example01 before its replies example06 and example07."""
    manifest = (EMAILS / "MANIFEST.md").read_text()
    names = sorted(set(re.findall(r"^\| `([^`]+\.eml)` ", manifest, flags=re.MULTILINE)))
    missing = [name for name in names if not (EMAILS / name).is_file()]
    if not names or missing:
        raise FileNotFoundError(f"test mails missing in {EMAILS}: {missing or 'MANIFEST.md rows'}")
    if [names.index(name) for name in _THREAD] != sorted(names.index(name) for name in _THREAD):
        raise RuntimeError("feed order: example01 must come before example06 and example07")
    return names


def originals(mailbox: str) -> list[Original]:
    """The corpus in feed order with what each becomes (service's parse_mail, classify, threading)."""
    seen: set[str] = set()
    own = IntakePolicy().own_addresses(mailbox)
    found = []
    for name in feed_order():
        raw = (EMAILS / name).read_bytes()
        mail = parse_mail(raw)
        if not isinstance(mail, InboundMail):
            found.append(Original(name, raw, IntakeOutcome.REJECTED, mail.message_id, None, False))
            continue
        kind = classify(mail, envelope_sender=ENVELOPE_SENDER, system_addresses=own).kind
        outcome = IGNORED.get(kind, IntakeOutcome.CASE_OPENED)
        if kind is MailKind.CUSTOMER:
            if any(candidate in seen for candidate in thread_candidates(mail)):
                outcome = IntakeOutcome.APPENDED
            if mail.message_id:
                seen.add(mail.message_id)
        template = (
            outcome is IntakeOutcome.CASE_OPENED
            and not (mail.in_reply_to or mail.references or mail.flags)
            and len(raw) <= TEMPLATE_MAX_BYTES
        )
        found.append(Original(name, raw, outcome, mail.message_id, mail.sender_email, template))
    return found


def stream(corpus: list[Original], count: int, run: str) -> Load:
    """`count` copies in feed order, the corpus over and over (copy k tagged `<run><k>`)."""
    copies = itertools.islice(_copies(corpus, run), count)
    pairs = [(unique_copy(o.raw, tag), o.outcome) for tag, o in copies]
    return Load([raw for raw, _ in pairs], Counter(str(outcome) for _, outcome in pairs))


def backlog(corpus: list[Original], count: int, reply_share: float, run: str, seed: int = 5) -> Load:
    """`count` distinct mails: corpus copies and, for about `reply_share` of them, customers' replies to
    a mail on a case REPLY_GAP to REPLY_GAP + ~REPLY_WINDOW mails earlier, written by its sender with the
    body of a plain corpus mail. The corpus's own replies (example06/07) also come REPLY_GAP later."""
    writer = _BacklogWriter(corpus, run, random.Random(seed))
    while len(writer.messages) < count:
        slot = len(writer.messages)
        if writer.held and writer.held[0][0] <= slot:
            _, raw, original, tag = writer.held.popleft()
            writer.write(raw, original.outcome, writer.target_of(original, tag))
        elif not (writer.rng.random() < reply_share and writer.reply(slot)):
            writer.copy(slot)
    return Load(writer.messages, writer.expected, writer.replies)


class _BacklogWriter:
    def __init__(self, corpus: list[Original], run: str, rng: random.Random) -> None:
        self.run, self.rng = run, rng
        self.templates = itertools.cycle([o for o in corpus if o.template])
        self.copies = _copies(corpus, run)
        self.slots: list[int] = []  # where each mail a reply may answer was written, ascending
        self.targets: list[tuple[str, str]] = []  # their (Message-ID, sender)
        self.held: deque[tuple[int, bytes, Original, str]] = deque()
        self.messages: list[bytes] = []
        self.expected: Counter[str] = Counter()
        self.written: Counter[str] = Counter()  # per sender: threads stay under the sender rate limit
        self.replies = 0

    def write(self, raw: bytes, outcome: IntakeOutcome, target: tuple[str, str] | None) -> None:
        if target is not None:
            self.slots.append(len(self.messages))
            self.targets.append(target)
            self.written[target[1]] += 1
        self.messages.append(raw)
        self.expected[str(outcome)] += 1

    def reply(self, slot: int) -> bool:
        """A reply to an earlier mail on a case, unless there is none or its sender wrote enough."""
        eligible = bisect.bisect_right(self.slots, slot - REPLY_GAP)
        if not eligible:
            return False
        answered, sender = self.targets[self.rng.randrange(max(0, eligible - REPLY_WINDOW), eligible)]
        if self.written[sender] >= SENDER_MAX:
            return False
        own_id = f"<reply.{self.run}.{slot}@replies.bench.example>"
        values = {"From": sender, "Message-ID": own_id, "In-Reply-To": answered, "References": answered}
        self.write(with_headers(next(self.templates).raw, values), IntakeOutcome.APPENDED, (own_id, sender))
        self.replies += 1
        return True

    def copy(self, slot: int) -> None:
        tag, original = next(self.copies)
        raw = unique_copy(original.raw, tag)
        if original.outcome is IntakeOutcome.APPENDED:
            self.held.append((slot + REPLY_GAP, raw, original, tag))
        else:
            self.write(raw, original.outcome, self.target_of(original, tag))

    @staticmethod
    def target_of(original: Original, tag: str) -> tuple[str, str] | None:
        if original.message_id and original.sender and original.outcome in _ON_A_CASE:
            return tagged(original.message_id, tag), tagged(original.sender, tag)
        return None


_ON_A_CASE = (IntakeOutcome.CASE_OPENED, IntakeOutcome.APPENDED)


def _copies(corpus: list[Original], run: str) -> Iterator[tuple[str, Original]]:
    return itertools.chain.from_iterable(
        ((f"{run}{k}", original) for original in corpus) for k in itertools.count()
    )


def tagged(value: str, tag: str) -> str:
    """A Message-ID or address as it reads in the copy tagged `tag`."""
    return value.replace("@", f"@{tag}.")


def unique_copy(raw: bytes, tag: str) -> bytes:
    fields, eol, rest = _header_fields(raw)
    at = f"@{tag}.".encode()
    lines = [
        line.replace(b"@", at) if name in ADDRESS_HEADERS else line
        for name, block in fields
        for line in block
    ]
    return eol.join([*lines, f"X-Bench-Copy: {tag}".encode()]) + rest


def with_headers(raw: bytes, values: dict[str, str]) -> bytes:
    """`raw` with the fields named in `values` replaced (dropped, then written at the block's end)."""
    fields, eol, rest = _header_fields(raw)
    names = {name.lower() for name in values}
    lines = [line for name, block in fields if name not in names for line in block]
    lines += [f"{name}: {value}".encode() for name, value in values.items()]
    return eol.join(lines) + rest


def _header_fields(raw: bytes) -> tuple[list[tuple[str | None, list[bytes]]], bytes, bytes]:
    """The header block (up to the first blank line) as (lower-case name, physical lines) fields, its
    line ending, and the rest (blank line and body). Lines without a colon (an mbox `From ` line,
    junk) are fields without a name, kept as they are."""
    blank = _BLANK.search(raw)
    end = blank.start() if blank else len(raw)
    eol = b"\r\n" if b"\r\n" in raw[: end + 2] else b"\n"
    fields: list[tuple[str | None, list[bytes]]] = []
    for line in raw[:end].split(eol):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1].append(line)
        else:
            name = line.split(b":", 1)[0].strip().lower().decode("latin-1") if b":" in line else None
            fields.append((name, [line]))
    return fields, eol, raw[end:]


def check_tagging(corpus: list[Original]) -> list[str]:
    """Originals whose copy does not parse to the tagged Message-ID and sender (expected: none)."""
    wrong = []
    for original in corpus:
        if original.outcome not in _ON_A_CASE or not original.message_id or not original.sender:
            continue
        copy = parse_mail(unique_copy(original.raw, "t1"))
        if not isinstance(copy, InboundMail) or (copy.message_id, copy.sender_email) != (
            tagged(original.message_id, "t1"),
            tagged(original.sender, "t1"),
        ):
            wrong.append(original.name)
    return wrong
