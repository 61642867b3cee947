"""The close request mails, in French and English."""

import pytest

from crm_notifier.domain.templates import (
    CLOSE_REQUEST_APPROVED,
    CLOSE_REQUEST_REJECTED,
    CLOSE_REQUESTED,
    DECISION_NOTE,
    LANGUAGES,
    LOSS_REASON,
    OUTCOMES,
    SIGNED_AMOUNT,
    render,
)


@pytest.mark.parametrize("pieces", [OUTCOMES, DECISION_NOTE, SIGNED_AMOUNT, LOSS_REASON])
def test_every_piece_exists_in_french_and_english(pieces):
    assert set(pieces) == set(LANGUAGES)


@pytest.mark.parametrize(
    ("template", "language", "subject", "said"),
    [
        (CLOSE_REQUEST_APPROVED, "en", "Close request approved: Site", "was approved on May 4, 2031"),
        (CLOSE_REQUEST_APPROVED, "fr", "Demande de clôture acceptée : Site", "a été acceptée le 4 mai 2031"),
        (CLOSE_REQUEST_REJECTED, "en", "Close request rejected: Site", "was rejected on May 4, 2031"),
        (CLOSE_REQUEST_REJECTED, "fr", "Demande de clôture refusée : Site", "a été refusée le 4 mai 2031"),
    ],
)
def test_decisions(template, language, subject, said):
    decided_on = "May 4, 2031" if language == "en" else "4 mai 2031"
    values = {
        "title": "Site",
        "outcome": OUTCOMES[language]["won"],
        "decided_on": decided_on,
        "note": DECISION_NOTE[language].format(note="see {title}"),
        "name": "Chloé",
    }
    rendered = render(template, language, values)
    assert rendered.subject == subject
    assert said in rendered.body
    assert "see {title}" in rendered.body  # the note is the user's text, never expanded


def test_a_request_tells_the_owner_the_amounts():
    details = SIGNED_AMOUNT["fr"].format(signed="10 000,00 EUR", amount="12 000,00 EUR")
    values = {"title": "Site", "outcome": "gagnée", "requested_by": "Chloé", "details": details}
    rendered = render(CLOSE_REQUESTED, "fr", values)
    assert rendered.subject == "Demande de clôture : Site (gagnée)"
    assert "Chloé demande la clôture" in rendered.body
    assert "Montant signé : 10 000,00 EUR (montant de l\u2019affaire : 12 000,00 EUR" in rendered.body
