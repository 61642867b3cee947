"""The new text of a mail apart from the quoted history and the signature below it.

mail-parser-reply knows the reply headers of common clients in several languages (`On ... wrote:`,
`Le ... a écrit :`, `Am ... schrieb`, Outlook's `De :`/`From:` blocks); a few separators it misses are
matched here.
"""

import re

from mailparser_reply import EmailReplyParser  # type: ignore[import-untyped]

LANGUAGES = ["en", "fr", "de"]
SPLIT_MAX = 60_000  # longer bodies are kept whole: the parser's expressions are not meant for them
_FALLBACK = re.compile(
    r"^(-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|message transféré"
    r"|forwarded message)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_parser = EmailReplyParser(languages=LANGUAGES)


def split_reply(text: str) -> tuple[str, str]:
    """(new text, quoted history and signature); the whole text is new when nothing is quoted."""
    if not text.strip() or len(text) > SPLIT_MAX:
        return text, ""
    try:
        message = _parser.read(text)
    except Exception:  # a reply parser failure leaves the mail whole, never loses it
        return text, ""
    first = message.replies[0] if message.replies else None
    if first is None or first.headers or not first.body:
        return _fallback(text)  # starts with a quote (a forward): all of it is the message
    normalized = message.text
    start = normalized.find(first.body)
    if start < 0:
        return _fallback(text)
    quoted = normalized[start + len(first.body) :].strip()
    return (first.body, quoted) if quoted else _fallback(text)


def _fallback(text: str) -> tuple[str, str]:
    found = _FALLBACK.search(text)
    if found is None or not text[: found.start()].strip():
        return text, ""
    return text[: found.start()].rstrip(), text[found.start() :].strip()
