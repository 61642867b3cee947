"""Every real test mail through the intake, alone, against the outcome MANIFEST.md expects for it."""

import re

import pytest

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain.mail import SUBJECT_MAX, InboundMail
from crm_cases.domain.model import IntakeOutcome
from crm_cases.service_layer.intake import ingest_email
from tests.data import EMAILS

MAILBOX = "support@crm.example"

# Expected result (start of the manifest's column) -> outcomes that satisfy it, most specific first.
RULES: tuple[tuple[str, frozenset[IntakeOutcome]], ...] = (
    ("IGNORE as auto-reply", frozenset({IntakeOutcome.IGNORED_AUTO_REPLY})),
    (
        "IGNORE as bounce/auto-reply",
        frozenset({IntakeOutcome.IGNORED_BOUNCE, IntakeOutcome.IGNORED_AUTO_REPLY}),
    ),
    ("IGNORE as bounce", frozenset({IntakeOutcome.IGNORED_BOUNCE})),
    ("IGNORE", frozenset({IntakeOutcome.IGNORED_BOUNCE})),  # read receipts, feedback and delay reports
    ("REJECT", frozenset({IntakeOutcome.REJECTED})),
    ("QUARANTINE or NEW", frozenset({IntakeOutcome.REJECTED, IntakeOutcome.CASE_OPENED})),
    ("Precedence: bulk", frozenset({IntakeOutcome.IGNORED_AUTO_REPLY, IntakeOutcome.CASE_OPENED})),
    ("NEW", frozenset({IntakeOutcome.CASE_OPENED})),
    ("REPLY", frozenset({IntakeOutcome.CASE_OPENED})),  # alone, the referenced case is unknown: NEW
)
# Where the manifest's sender column shows Python's raw view rather than the expected sender.
SENDERS = {
    "mailparser__mail_test_19.eml": "bob@example.com",
    "mikel__utf8_headers.eml": "jdöe@mächine.example",
    "mikel__raw_email_with_at_display_name.eml": "test@lindsaar.net",
}


def _manifest() -> dict[str, tuple[str, str]]:
    """File -> (expected intake result, sender) from the manifest's per-file table."""
    path = EMAILS / "MANIFEST.md"
    rows: dict[str, tuple[str, str]] = {}
    for line in path.read_text().splitlines() if path.is_file() else ():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)]
        if len(cells) > 6 and cells[1].startswith("`") and ".eml`" in cells[1]:
            rows[cells[1].split("`")[1]] = (cells[4], cells[5])
    return rows


MANIFEST = _manifest()


def allowed(expected: str) -> frozenset[IntakeOutcome]:
    return next(outcomes for start, outcomes in RULES if expected.startswith(start))


def test_the_manifest_covers_every_file():
    assert set(MANIFEST) == {p.name for p in EMAILS.glob("*.eml")}
    assert len(MANIFEST) >= 79


@pytest.mark.parametrize("name", sorted(MANIFEST))
async def test_intake_outcome_matches_the_manifest(name, uow):
    expected, sender = MANIFEST[name]
    result = await ingest_email(uow=uow, raw=(EMAILS / name).read_bytes(), mailbox=MAILBOX)
    assert result.outcome in allowed(expected), f"{name}: {result.outcome} ({result.reason}); {expected}"
    assert len(uow.raw_messages.rows) == 1
    opened = result.outcome is IntakeOutcome.CASE_OPENED
    assert len(uow.cases.rows) == (1 if opened else 0)
    if opened:
        case = result.case
        assert case is not None
        assert case.requester_email == SENDERS.get(name, sender).lower()
        assert case.number == "CASE-1001"
        assert len(case.subject) <= SUBJECT_MAX


def mail(name: str) -> InboundMail:
    parsed = parse_mail((EMAILS / name).read_bytes())
    assert isinstance(parsed, InboundMail), parsed
    return parsed


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("tb__sample04.eml", "Алфавит"),
        ("mikel__raw_email.eml", "NOTE: 한국말로 하는 것"),
        ("flanker__bilingual-simple.eml", "Simple text. How are you? Как ты поживаешь?"),
        ("zammad__mail001.eml", "CI Daten für PublicView"),
        (
            "mikel__invalid_subject_characters.eml",
            "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro",
        ),
        ("mikel__trademark_character_in_subject.eml", "GA.comô has a lead for you"),
        ("mikel__utf8_headers.eml", "Säying Hello"),
        ("mikel__example14.eml", "Re: TEST テストテスト"),
        ("mikel__attachment_pdf.eml", "Another PDF with 🎉 Unicode chars in it 🍿"),
    ],
)
def test_subjects_are_decoded(name, subject):
    assert mail(name).subject == subject


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("tb__sample04.eml", "Вопрос"),
        ("flanker__missing-final-boundary.eml", "Some body"),
        ("mikel__ks_c_5601-1987.eml", "스티해"),
        ("mikel__japanese_shift_jis.eml", "あいうえお"),
        ("mikel__japanese_iso_2022.eml", "すみません。"),
        ("zammad__mail007.eml", "Hallo."),  # HTML only: text derived from the HTML
        ("imaptools__double_fields.eml", "double_fields"),  # empty text part, HTML part has the words
        ("zammad__mail001.eml", "wie besprochen"),  # quoted-printable iso-8859-1
    ],
)
def test_bodies_are_decoded_to_text(name, text):
    body = mail(name).text
    assert text in body
    assert "\ufffd" not in body
    assert not re.search(r"<(br|div|p|span|font|html)\b", body, re.IGNORECASE)


def test_long_subject_is_truncated_not_refused():
    parsed = mail("flanker__long-header.eml")
    assert parsed.subject.startswith("Die heiße Zypernsonne")
    assert len(parsed.subject) == SUBJECT_MAX


def test_an_encoded_comma_does_not_split_the_sender():
    parsed = mail("mailparser__mail_test_18.eml")
    assert (parsed.sender_email, parsed.sender_name) == ("comma.name@example.com", "LastßlName, FirstName")


def test_a_display_name_that_looks_like_an_address_is_not_the_sender():
    assert mail("mailparser__mail_test_19.eml").sender_email == "bob@example.com"
