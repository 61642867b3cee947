"""Email templates, in French and English, with the formatting of amounts and dates they need."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from crm_shared.money import split_minor

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

DEAL_WON = "deal_won"
CASE_ACKNOWLEDGEMENT = "case_acknowledgement"
CASE_RESOLVED = "case_resolved"
CONTRACT_RENEWAL = "contract_renewal"
CLOSE_REQUESTED = "close_requested"
CLOSE_REQUEST_APPROVED = "close_request_approved"
CLOSE_REQUEST_REJECTED = "close_request_rejected"


@dataclass(frozen=True)
class Template:
    subject: Mapping[Language, str]
    body: Mapping[Language, str]


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


TEMPLATES: Mapping[str, Template] = {
    DEAL_WON: Template(
        subject={"en": "Deal won: {title}", "fr": "Affaire gagnée : {title}"},
        body={
            "en": "{greeting}\n\nThe deal \u201c{title}\u201d was won on {won_on}, for {amount} "
            "(net of VAT and media purchases).\n\nThis is an automatic message from the CRM.\n",
            "fr": "{greeting}\n\nL\u2019affaire \u00ab {title} \u00bb a été gagnée le {won_on}, "
            "pour {amount} (hors TVA et achats média).\n\nCeci est un message automatique du CRM.\n",
        },
    ),
    CASE_ACKNOWLEDGEMENT: Template(
        subject={"en": "[{number}] {subject}", "fr": "[{number}] {subject}"},
        body={
            "en": "{greeting}\n\nWe have received your request \u201c{subject}\u201d. It is registered "
            "under the number {number}, and our support team will get back to you as soon as possible."
            "\n\nTo add information, simply reply to this email, keeping [{number}] in the subject."
            "\n\nThe support team\n",
            "fr": "{greeting}\n\nNous avons bien reçu votre demande \u00ab {subject} \u00bb. Elle est "
            "enregistrée sous le numéro {number} et notre équipe support vous répondra dans les "
            "meilleurs délais.\n\nPour ajouter des informations, répondez simplement à ce message en "
            "conservant [{number}] dans l\u2019objet.\n\nL\u2019équipe support\n",
        },
    ),
    CASE_RESOLVED: Template(
        subject={
            "en": "[{number}] Your request is resolved",
            "fr": "[{number}] Votre demande est résolue",
        },
        body={
            "en": "{greeting}\n\nYour request {number} is resolved. If something is still not right, "
            "simply reply to this email, keeping [{number}] in the subject, and it will be reopened."
            "\n\nThe support team\n",
            "fr": "{greeting}\n\nVotre demande {number} est résolue. Si quelque chose ne va toujours pas, "
            "répondez simplement à ce message en conservant [{number}] dans l\u2019objet : elle sera "
            "rouverte.\n\nL\u2019équipe support\n",
        },
    ),
    CONTRACT_RENEWAL: Template(
        subject={
            "en": "Contract renewal due: {title}",
            "fr": "Renouvellement de contrat à préparer : {title}",
        },
        body={
            "en": "{greeting}\n\nThe contract \u201c{title}\u201d ends on {end_date}. It is time to prepare "
            "its renewal with the customer.\n\nThis is an automatic message from the CRM.\n",
            "fr": "{greeting}\n\nLe contrat \u00ab {title} \u00bb arrive à échéance le {end_date}. Il est "
            "temps de préparer son renouvellement avec le client.\n\nCeci est un message automatique "
            "du CRM.\n",
        },
    ),
    CLOSE_REQUESTED: Template(
        subject={
            "en": "Close request: {title} ({outcome})",
            "fr": "Demande de clôture : {title} ({outcome})",
        },
        body={
            "en": "{greeting}\n\n{requested_by} asks to close the deal \u201c{title}\u201d as {outcome}, "
            "with the signed offer.{details}\n\nSales approves or rejects the request in the CRM.\n\n"
            "This is an automatic message from the CRM.\n",
            "fr": "{greeting}\n\n{requested_by} demande la clôture de l\u2019affaire \u00ab {title} \u00bb "
            "({outcome}), avec l\u2019offre signée.{details}\n\nL\u2019équipe commerciale accepte ou refuse "
            "la demande dans le CRM.\n\nCeci est un message automatique du CRM.\n",
        },
    ),
    CLOSE_REQUEST_APPROVED: Template(
        subject={
            "en": "Close request approved: {title}",
            "fr": "Demande de clôture acceptée : {title}",
        },
        body={
            "en": "{greeting}\n\nYour request to close the deal \u201c{title}\u201d as {outcome} was "
            "approved on {decided_on}: the deal is now {outcome}.{note}\n\n"
            "This is an automatic message from the CRM.\n",
            "fr": "{greeting}\n\nVotre demande de clôture de l\u2019affaire \u00ab {title} \u00bb "
            "({outcome}) a été acceptée le {decided_on} : l\u2019affaire est désormais {outcome}.{note}"
            "\n\nCeci est un message automatique du CRM.\n",
        },
    ),
    CLOSE_REQUEST_REJECTED: Template(
        subject={
            "en": "Close request rejected: {title}",
            "fr": "Demande de clôture refusée : {title}",
        },
        body={
            "en": "{greeting}\n\nYour request to close the deal \u201c{title}\u201d as {outcome} was "
            "rejected on {decided_on}.{note}\n\nThe deal stays open; you may send a new request.\n\n"
            "This is an automatic message from the CRM.\n",
            "fr": "{greeting}\n\nVotre demande de clôture de l\u2019affaire \u00ab {title} \u00bb "
            "({outcome}) a été refusée le {decided_on}.{note}\n\nL\u2019affaire reste ouverte ; vous "
            "pouvez envoyer une nouvelle demande.\n\nCeci est un message automatique du CRM.\n",
        },
    ),
}

# Pieces of the close request mails, filled in before the template (a user's text is never re-expanded).
OUTCOMES: Mapping[Language, Mapping[str, str]] = {
    "en": {"won": "won", "lost": "lost"},
    "fr": {"won": "gagnée", "lost": "perdue"},
}
DECISION_NOTE: Mapping[Language, str] = {
    "en": "\n\nNote from Sales: {note}",
    "fr": "\n\nRemarque de l\u2019équipe commerciale : {note}",
}
SIGNED_AMOUNT: Mapping[Language, str] = {
    "en": "\n\nSigned amount: {signed} (deal amount: {amount}, net of VAT and media purchases).",
    "fr": "\n\nMontant signé : {signed} (montant de l\u2019affaire : {amount}, hors TVA et achats média).",
}
LOSS_REASON: Mapping[Language, str] = {"en": "\n\nReason: {reason}", "fr": "\n\nMotif : {reason}"}

GREETINGS: Mapping[Language, tuple[str, str]] = {
    "en": ("Hello {name},", "Hello,"),
    "fr": ("Bonjour {name},", "Bonjour,"),
}

MONTHS: Mapping[Language, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
}  # fmt: skip


def language_or(value: str | None, default: Language) -> Language:
    return value if value in LANGUAGES else default


def render(name: str, language: Language, values: Mapping[str, str]) -> Rendered:
    """Fill a template; `name` in `values` (if any) personalises the greeting."""
    template = TEMPLATES[name]
    with_name, without_name = GREETINGS[language]
    person = (values.get("name") or "").strip()
    filled = {**values, "greeting": with_name.format(name=person) if person else without_name}
    subject = template.subject[language].format_map(filled)
    # A header value never spans lines: folding whitespace from a customer's subject is collapsed.
    return Rendered(subject=" ".join(subject.split()), body=template.body[language].format_map(filled))


def format_amount(amount_minor: int, currency: str, language: Language) -> str:
    """`1234567, "EUR"` -> `EUR 12,345.67` (en) or `12 345,67 EUR` (fr, narrow no-break spaces)."""
    sign, units, decimals = split_minor(amount_minor, currency)
    if language == "fr":
        number = f"{units:,}".replace(",", "\u202f") + (f",{decimals}" if decimals else "")
        return f"{sign}{number}\u00a0{currency}"
    number = f"{units:,}" + (f".{decimals}" if decimals else "")
    return f"{currency} {sign}{number}"


def format_date(day: date, language: Language) -> str:
    month = MONTHS[language][day.month - 1]
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"
