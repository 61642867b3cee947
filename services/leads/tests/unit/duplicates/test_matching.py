import uuid

import pytest

from crm_leads.domain.duplicates.matching import (
    MatchField,
    Party,
    company_key,
    find_duplicates,
    fold,
    match,
    phone_key,
)


def party(**fields) -> Party:
    return Party(id=uuid.uuid4(), **fields)


def test_folding_ignores_case_accents_and_punctuation():
    assert fold("  Élodie-Marie  D'Ormesson ") == "elodie marie d ormesson"
    assert company_key("Société Dupont S.A.R.L.") == company_key("DUPONT")


def test_same_email_is_conclusive_whatever_the_names():
    a = party(last_name="Smith", emails=("J.Smith@Acme.example",))
    b = party(last_name="Jones", emails=("j.smith@acme.example",))
    assert match(a, b).score == 100.0


def test_national_and_international_phone_forms_match():
    assert phone_key("+33 6 12 34 56 78") == phone_key("06.12.34.56.78")
    a = party(last_name="A", phones=("+33612345678",))
    b = party(last_name="B", phones=("06 12 34 56 78",))
    assert match(a, b).reasons[MatchField.PHONE] == 100.0


def test_names_match_fuzzily_in_any_order():
    a = party(first_name="Jean-Pierre", last_name="Dupont")
    b = party(first_name="Dupont", last_name="Jean Pierre")
    assert match(a, b, [MatchField.NAME]).score >= 85


def test_free_mail_domains_are_no_evidence():
    a = party(last_name="A", emails=("a@gmail.com",))
    b = party(last_name="Z", emails=("z@gmail.com",))
    assert match(a, b, [MatchField.EMAIL_DOMAIN]).score == 0.0
    c = party(last_name="A", emails=("a@acme.example",))
    d = party(last_name="Z", emails=("z@acme.example",))
    assert match(c, d, [MatchField.EMAIL_DOMAIN]).score == 60.0


def test_only_chosen_fields_count():
    a = party(last_name="Dupont", emails=("x@acme.example",))
    b = party(last_name="Durand", emails=("x@acme.example",))
    assert match(a, b, [MatchField.NAME]).score < 75
    assert match(a, b, [MatchField.EMAIL]).score == 100.0


def test_find_duplicates_ranks_and_filters_by_threshold():
    target = party(first_name="Ada", last_name="Lovelace", company="Analytical Engines Ltd")
    twin = party(first_name="Ada", last_name="Lovelace", company="Analytical Engines")
    cousin = party(first_name="Ada", last_name="Byron", company="Analytical Engines")
    stranger = party(first_name="Grace", last_name="Hopper", company="Cobol")
    found = find_duplicates(target, [stranger, cousin, twin, target])
    assert [m.id for m in found][:1] == [twin.id]
    assert stranger.id not in {m.id for m in found}
    assert target.id not in {m.id for m in found}
    assert all(found[i].score >= found[i + 1].score for i in range(len(found) - 1))


@pytest.mark.parametrize("empty", [party(), party(last_name="", company="")])
def test_empty_records_never_match(empty):
    assert match(party(), empty).score == 0.0
