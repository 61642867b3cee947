"""Templates in both languages, and the formatting of amounts and dates they use."""

from datetime import date

import pytest

from crm_notifier.domain.templates import (
    CASE_ACKNOWLEDGEMENT,
    CONTRACT_RENEWAL,
    DEAL_WON,
    LANGUAGES,
    TEMPLATES,
    format_amount,
    format_date,
    language_or,
    render,
)

NBSP, NNBSP = "\u00a0", "\u202f"


def test_every_template_exists_in_french_and_english() -> None:
    for template in TEMPLATES.values():
        assert set(template.subject) == set(LANGUAGES)
        assert set(template.body) == set(LANGUAGES)


def test_deal_won_in_english() -> None:
    values = {"title": "Website", "amount": "EUR 15,000.00", "won_on": "May 4, 2031", "name": "Bruno"}
    rendered = render(DEAL_WON, "en", values)
    assert rendered.subject == "Deal won: Website"
    assert rendered.body.startswith("Hello Bruno,\n")
    assert "EUR 15,000.00" in rendered.body
    assert "May 4, 2031" in rendered.body


def test_deal_won_in_french_without_a_name() -> None:
    rendered = render(DEAL_WON, "fr", {"title": "Site web", "amount": "15 000,00 EUR", "won_on": "4 mai"})
    assert rendered.subject == "Affaire gagnée : Site web"
    assert rendered.body.startswith("Bonjour,\n")
    assert "a été gagnée le 4 mai, pour 15 000,00 EUR" in rendered.body


@pytest.mark.parametrize(
    ("language", "received"),
    [("en", "We have received your request"), ("fr", "Nous avons bien reçu votre demande")],
)
def test_case_acknowledgement_names_the_case_number(language: str, received: str) -> None:
    values = {"number": "CASE-1001", "subject": "Printer on fire", "name": "Ada"}
    rendered = render(CASE_ACKNOWLEDGEMENT, language_or(language, "en"), values)
    assert rendered.subject == "[CASE-1001] Printer on fire"
    assert received in rendered.body
    assert "CASE-1001" in rendered.body
    assert "[CASE-1001]" in rendered.body


def test_a_subject_never_spans_lines() -> None:
    values = {"number": "CASE-7", "subject": "Help\r\nBcc: victim@example.com", "name": ""}
    assert render(CASE_ACKNOWLEDGEMENT, "en", values).subject == "[CASE-7] Help Bcc: victim@example.com"


def test_placeholders_in_values_are_not_expanded() -> None:
    rendered = render(DEAL_WON, "en", {"title": "{amount}", "amount": "EUR 1.00", "won_on": "today"})
    assert rendered.subject == "Deal won: {amount}"


@pytest.mark.parametrize(
    ("language", "subject", "end"),
    [
        ("en", "Contract renewal due: Hosting", "March 31, 2031"),
        ("fr", "Renouvellement de contrat à préparer : Hosting", "31 mars 2031"),
    ],
)
def test_contract_renewal(language: str, subject: str, end: str) -> None:
    end_date = format_date(date(2031, 3, 31), language_or(language, "en"))
    rendered = render(
        CONTRACT_RENEWAL, language_or(language, "en"), {"title": "Hosting", "end_date": end_date}
    )
    assert rendered.subject == subject
    assert end in rendered.body


@pytest.mark.parametrize(
    ("amount", "currency", "en", "fr"),
    [
        (1_500_000, "EUR", "EUR 15,000.00", f"15{NNBSP}000,00{NBSP}EUR"),
        (5, "USD", "USD 0.05", f"0,05{NBSP}USD"),
        (1_234_567_890, "EUR", "EUR 12,345,678.90", f"12{NNBSP}345{NNBSP}678,90{NBSP}EUR"),
        (150_000, "JPY", "JPY 150,000", f"150{NNBSP}000{NBSP}JPY"),
        (1_234, "KWD", "KWD 1.234", f"1,234{NBSP}KWD"),
        (0, "EUR", "EUR 0.00", f"0,00{NBSP}EUR"),
    ],
)
def test_amounts_from_minor_units(amount: int, currency: str, en: str, fr: str) -> None:
    assert format_amount(amount, currency, "en") == en
    assert format_amount(amount, currency, "fr") == fr


def test_dates() -> None:
    assert format_date(date(2031, 5, 4), "en") == "May 4, 2031"
    assert format_date(date(2031, 5, 4), "fr") == "4 mai 2031"
    assert format_date(date(2031, 8, 1), "fr") == "1er août 2031"


def test_unknown_languages_fall_back_to_the_default() -> None:
    assert language_or("de", "fr") == "fr"
    assert language_or(None, "en") == "en"
    assert language_or("fr", "en") == "fr"
