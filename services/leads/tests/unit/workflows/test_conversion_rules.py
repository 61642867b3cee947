from uuid import uuid4

import pytest

from crm_leads.domain.workflows.conversion import (
    AccountSummary,
    business_domain,
    company_key,
    likely_duplicates,
)
from crm_shared.http.idempotency import request_hash


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Analytical Engines SAS", "analytical engines"),
        ("Société Générale S.A.", "societe generale"),
        ("ACME, Inc.", "Acme"),
    ],
)
def test_company_names_compare_without_case_accents_or_legal_form(a, b):
    assert company_key(a) == company_key(b)


def test_a_name_made_only_of_a_legal_form_keeps_it():
    assert company_key("SA") == "sa"


def test_free_mail_domains_identify_no_company():
    assert business_domain("GMAIL.com") is None
    assert business_domain("Analytical.example") == "analytical.example"
    assert business_domain(None) is None


def account(name: str, domain: str | None = None) -> AccountSummary:
    return AccountSummary(uuid4(), name, domain)


def test_likely_duplicates_match_on_name_or_business_domain_with_reasons():
    same_name = account("Analytical Engines SARL")
    same_domain = account("AE Holdings", "analytical.example")
    both = account("analytical engines", "analytical.example")
    other = account("Difference Engines", "difference.example")
    found = likely_duplicates(
        name="Analytical Engines",
        email_domain="analytical.example",
        accounts=[same_name, same_domain, both, other],
    )
    assert {(c.account, c.reasons) for c in found} == {
        (same_name, ("name",)),
        (same_domain, ("email_domain",)),
        (both, ("name", "email_domain")),
    }


def test_two_people_at_gmail_are_not_one_company():
    found = likely_duplicates(
        name="Ada Lovelace", email_domain="gmail.com", accounts=[account("X", "gmail.com")]
    )
    assert found == []


def test_request_hash_ignores_key_order_but_not_values():
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})
    assert request_hash({"a": 1}) != request_hash({"a": 2})
