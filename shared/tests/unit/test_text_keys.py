"""The case-insensitive key agrees with Python's casefold() on the inputs where case rules are tricky."""

import unicodedata

import pytest

from crm_shared.text_keys import NameTaken, address_key, casefold_key

# (a, b, whether Python's casefold() calls them the same once NFC-composed and spaced alike)
PAIRS = [
    ("Équipe Île", "équipe île", True),
    ("ÉCOLE DU LOUVRE", "école du louvre", True),
    ("Straße", "STRASSE", True),
    ("ẞ", "ss", True),  # capital sharp s
    ("Straße", "Strase", False),
    ("ΟΔΟΣ", "οδος", True),  # final sigma
    ("ΟΔΟΣ", "οδοσ", True),
    ("Σ", "ς", True),
    ("ﬁne", "FINE", True),  # ligature
    ("ﬃ", "FFI", True),
    ("İstanbul", "istanbul", False),  # Turkish dotted capital: i + combining dot, not i
    ("İstanbul", "i\u0307stanbul", True),
    ("ISTANBUL", "\u0131stanbul", False),  # dotless i is its own letter
    ("I", "\u0131", False),
    ("ǅ", "ǆ", True),  # title-case digraph: one letter, not d + ž
    ("ǅ", "dž", False),
    ("Ǆ", "ǆ", True),
    ("µ", "μ", True),  # micro sign and mu
    ("\u017f", "s", True),  # long s
    ("\u212a", "k", True),  # Kelvin sign
    ("\u212b", "å", True),  # Ångström sign
    ("E\u0301cole", "École", True),  # decomposed and composed é
    ("J\u030c", "ǰ", True),
    ("\uff21\uff22\uff23", "\uff41\uff42\uff43", True),  # full width keeps its width
    ("\uff21\uff22\uff23", "abc", False),
    ("\u13a0", "\uab70", True),  # Cherokee
    ("\u216b", "\u217b", True),  # Roman numeral twelve
    ("Ǳ", "ǳ", True),
    ("Ǳ", "dz", False),
    ("Ŀ", "ŀ", True),
    ("がっこう", "かっこう", False),
    ("東京", "東京", True),
    ("  Équipe \t Île ", "équipe île", True),
    ("Équipe Île", "ÉquipeÎle", False),
]


def python_says_same(a: str, b: str) -> bool:
    def spaced(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return spaced(a).casefold() == spaced(b).casefold()


@pytest.mark.parametrize(("a", "b", "same"), PAIRS, ids=[f"{a}|{b}" for a, b, _ in PAIRS])
def test_the_key_matches_when_and_only_when_casefold_does(a, b, same):
    assert python_says_same(a, b) is same
    assert (casefold_key(a) == casefold_key(b)) is same


def test_the_key_is_stable_when_applied_again():
    for a, b, _ in PAIRS:
        assert casefold_key(casefold_key(a)) == casefold_key(a)
        assert casefold_key(casefold_key(b)) == casefold_key(b)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("ÉLODIE.MÜLLER@ÉCOLE.FR", "élodie.müller@école.fr", True),
        ("  Ada@Example.COM ", "ada@example.com", True),
        ("E\u0301lodie@x.fr", "élodie@x.fr", True),
        ("ΝΊΚΟΣ@ΠΑΡΆΔΕΙΓΜΑ.GR", "νίκος@παράδειγμα.gr", True),
        ("straße@firma.de", "strasse@firma.de", False),  # another mailbox
        ("ada@example.com", "ada@example.co", False),
    ],
)
def test_addresses_compare_lower_cased_not_casefolded(a, b, same):
    assert (address_key(a) == address_key(b)) is same


def test_a_taken_name_is_a_conflict_naming_the_field():
    taken = NameTaken("name", "a pipeline is already named 'Équipe Île'", "pipeline_name_taken")
    assert (taken.status, taken.code) == (409, "pipeline_name_taken")
    assert taken.extra == {"errors": [{"field": "name", "message": taken.detail}]}
