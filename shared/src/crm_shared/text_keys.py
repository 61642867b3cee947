"""Keys for case-insensitive uniqueness and matching (ADR 0006).

The services compute these keys in Python and store them next to the text they stand for, so two
names are "the same" by one rule in every service and on every PostgreSQL cluster: PostgreSQL's
`lower()` follows the cluster's locale (the C locale leaves "É" alone) and not every build has ICU.
"""

import unicodedata

from crm_shared.errors import Conflict


def casefold_key(text: str) -> str:
    """Names that differ only in case, Unicode composition or spacing share this key: Python's
    `casefold()` of the NFC text, trimmed, each run of whitespace made one space. So "Straße" and
    "STRASSE", "ÉCOLE" and "école", "ΟΔΟΣ" and "οδος" match; "İ" stays apart from "I", as in Python."""
    spaced = " ".join(unicodedata.normalize("NFC", text).split())
    return unicodedata.normalize("NFC", spaced.casefold())


def address_key(address: str) -> str:
    """An email address as stored and compared: NFC, trimmed, lower-cased by `str.lower()`.

    Deliberately not `casefold()`: it turns "ß" into "ss" and a final sigma into a medial one, which
    names another mailbox (IDNA 2008 registers "straße" and "strasse" as two domains). `str.lower()`
    still lowers every script's capitals, "ÉLODIE@ÉCOLE.FR" included, whatever the database's locale.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", address.strip()).lower())


class NameTaken(Conflict):
    """A name already used where names are unique by `casefold_key`: 409, naming the field."""

    def __init__(self, field_name: str, detail: str, code: str) -> None:
        super().__init__(detail, code)
        self.extra = {"errors": [{"field": field_name, "message": detail}]}
