"""CSV cells of a deal: exact decimal amounts per currency, lists, names, empty cells."""

import uuid
from datetime import date

import pytest

from crm_deals.domain.model import Deal, Pipeline, Stage, StageKind
from crm_deals.entrypoints.view_schemas import CSV_COLUMNS, csv_row, decimal_amount


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (123_450, "EUR", "1234.50"),
        (5, "EUR", "0.05"),
        (0, "USD", "0.00"),
        (1_234, "JPY", "1234"),
        (1_234_567, "KWD", "1234.567"),
        (-250, "EUR", "-2.50"),
        (10**18 + 1, "EUR", "10000000000000000.01"),  # no float on the way
        (None, "EUR", ""),
    ],
)
def test_amounts_are_exact_decimals_in_their_currency(minor, currency, shown):
    assert decimal_amount(minor, currency) == shown


def test_a_row_holds_every_column_in_order():
    stage = Stage(uuid.uuid4(), "Offer", 0, 50, StageKind.OPEN)
    pipeline = Pipeline(id=uuid.uuid4(), name="SALES SQUAD", currency="EUR", stages=(stage,))
    contacts = (uuid.uuid4(), uuid.uuid4())
    deal = Deal.open(
        pipeline=pipeline,
        by="alice",
        title="+33 1 23",
        amount_minor=99_990,
        best_case_minor=120_000,
        owner_id="alice",
        contact_ids=contacts,
        tags=("vip", "renewal"),
        expected_close_date=date(2026, 5, 31),
    )
    cells = dict(zip(CSV_COLUMNS, csv_row(deal, {stage.id: (pipeline.name, stage.name)}), strict=True))
    assert (cells["pipeline"], cells["stage"], cells["status"]) == ("SALES SQUAD", "Offer", "open")
    assert (cells["amount"], cells["best_case"], cells["worst_case"]) == ("999.90", "1200.00", "")
    assert cells["contact_ids"] == f"{contacts[0]}; {contacts[1]}"
    assert (cells["tags"], cells["expected_close_date"], cells["needs_review"]) == (
        "vip; renewal",
        "2026-05-31",
        "false",
    )
    assert cells["title"] == "+33 1 23"  # neutralised when written (csv_lines), not here
