"""Contract date rules and the contract opened for a won deal: pure, no I/O."""

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from crm_quotes.domain import events
from crm_quotes.domain.model import Contract, ContractStatus, add_months, start_date_of, term
from crm_quotes.service_layer.integration_events import translate
from crm_shared.errors import InvalidInput
from crm_shared.events import quotes


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2025, 1, 31), 12, date(2026, 1, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 11, 30), 14, date(2027, 1, 30)),
        (date(2025, 12, 31), -1, date(2025, 11, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_shorter_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 31), date(2026, 1, 31)),
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2025, 12, 31), date(2026, 12, 31)),
        (date(2025, 6, 1), date(2026, 6, 1)),
    ],
)
def test_term_is_twelve_months(start, end):
    assert term(start) == (start, end)


def test_start_date_is_the_utc_day_of_the_win():
    paris_just_after_midnight = datetime(2025, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert start_date_of(paris_just_after_midnight) == date(2024, 12, 31)
    late_in_new_york = datetime(2025, 2, 28, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert start_date_of(late_in_new_york) == date(2025, 3, 1)
    assert start_date_of(datetime(2025, 5, 4, 23, 59, tzinfo=UTC)) == date(2025, 5, 4)


def test_a_timestamp_without_offset_is_read_as_utc():
    assert start_date_of(datetime(2025, 5, 4, 23, 59)) == date(2025, 5, 4)


def open_contract(**overrides: object) -> Contract:
    values: dict[str, object] = {
        "deal_id": uuid4(),
        "account_id": uuid4(),
        "title": "  Analytical engine  ",
        "won_at": datetime(2024, 2, 29, 23, 30, tzinfo=timezone(timedelta(hours=-2))),
        "budget_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "csm_id": "csm-1",
    }
    return Contract.for_won_deal(**values | overrides)  # type: ignore[arg-type]


def test_a_won_deal_opens_an_active_contract_and_records_it():
    contract = open_contract()
    assert contract.status is ContractStatus.ACTIVE
    assert contract.title == "Analytical engine"
    assert (contract.start_date, contract.end_date) == (date(2024, 3, 1), date(2025, 3, 1))
    assert contract.version == 1
    [created] = contract.pull_events()
    assert isinstance(created, events.ContractCreated)
    assert created.contract_id == contract.id
    assert created.budget_minor == 1_200_000
    assert contract.pull_events() == []


def test_created_translates_to_the_published_contract_created():
    contract = open_contract(account_id=None, csm_id=None)
    [published] = [e for domain in contract.pull_events() for e in translate(domain)]
    assert isinstance(published, quotes.ContractCreated)
    assert published.aggregate_id == str(contract.id)
    assert published.model_dump(mode="json") | {"contract_id": None, "deal_id": None} == {
        "contract_id": None,
        "deal_id": None,
        "account_id": None,
        "title": "Analytical engine",
        "start_date": "2024-03-01",
        "end_date": "2025-03-01",
        "budget_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "csm_id": None,
    }


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"budget_minor": -1}, "budget_minor"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"owner_id": ""}, "owner_id"),
    ],
)
def test_invalid_values_are_refused_and_name_the_field(override, field):
    with pytest.raises(InvalidInput) as refused:
        open_contract(**override)
    assert refused.value.extra["errors"] == [{"field": field, "message": refused.value.detail}]
