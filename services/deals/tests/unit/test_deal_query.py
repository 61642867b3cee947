"""Deal list rules: cursors bound to their sort, filters, and the SQL they turn into."""

import base64
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.dialects import postgresql

from crm_deals.adapters.deal_queries import board_tops_query, board_totals_query, escape_like, page_query
from crm_deals.domain.deal_query import DealCursor, DealFilters, DealPage, DealSort
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind
from crm_shared.errors import InvalidInput

IDENT = uuid.UUID("01890000-0000-7000-8000-000000000001")
VALUES = {
    DealSort.CREATED_DESC: datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC),
    DealSort.UPDATED: datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
    DealSort.AMOUNT_DESC: 123_450,
    DealSort.CLOSE: date(2026, 4, 30),
    DealSort.CLOSE_DESC: None,
    DealSort.TITLE: "Site refonte, 50% off",
    DealSort.RANK: 1_764_000_000.123456,
}


def sql(query) -> str:
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": False}))


def token(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def problem_field(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    return exc.value.extra["errors"][0]["field"]  # type: ignore[index]


@pytest.mark.parametrize(("sort", "value"), VALUES.items())
def test_a_cursor_round_trips_its_value_exactly(sort, value):
    cursor = DealCursor(sort, value, IDENT)
    assert DealCursor.decode(cursor.encode(), sort=sort) == cursor


def test_a_cursor_continues_only_its_own_sort():
    encoded = DealCursor(DealSort.AMOUNT, 10, IDENT).encode()
    with pytest.raises(InvalidInput) as refused:
        DealCursor.decode(encoded, sort=DealSort.AMOUNT_DESC)
    assert problem_field(refused) == "cursor"


@pytest.mark.parametrize(
    ("sort", "bad"),
    [
        (DealSort.AMOUNT, "not-base64!!"),
        (DealSort.AMOUNT, base64.urlsafe_b64encode(b"not json").decode()),
        (DealSort.AMOUNT, token("amount_minor", 10)),
        (DealSort.AMOUNT, token("amount_minor", "ten", str(IDENT))),
        (DealSort.AMOUNT, token("amount_minor", True, str(IDENT))),
        (DealSort.AMOUNT, token("amount_minor", 10, "not-a-uuid")),
        (DealSort.AMOUNT, token("amount_minor", None, str(IDENT))),  # only a close date may be null
        (DealSort.CREATED, token("created_at", "2026-03-01T12:00:00", str(IDENT))),  # no offset
        (DealSort.CLOSE, token("expected_close_date", "2026-13-01", str(IDENT))),
    ],
)
def test_a_malformed_cursor_is_refused_naming_the_cursor(sort, bad):
    with pytest.raises(InvalidInput) as refused:
        DealCursor.decode(bad, sort=sort)
    assert problem_field(refused) == "cursor"


def test_filters_check_their_ranges_and_normalise_tags_and_text():
    with pytest.raises(InvalidInput):
        DealFilters(amount_min=10, amount_max=5)
    with pytest.raises(InvalidInput):
        DealFilters(close_from=date(2026, 2, 1), close_to=date(2026, 1, 1))
    filters = DealFilters(tags=(" VIP ", "vip", "Renewal"), text="   ")
    assert filters.tags == ("vip", "renewal")
    assert filters.text is None


def test_mine_filters_on_the_caller_and_refuses_another_owner():
    assert DealFilters(mine=True).for_actor("alice").owner_id == "alice"
    assert DealFilters(owner_id="bob").for_actor("alice").owner_id == "bob"
    assert DealFilters(mine=True, owner_id="alice").for_actor("alice").owner_id == "alice"
    with pytest.raises(InvalidInput):
        DealFilters(mine=True, owner_id="bob").for_actor("alice")


def test_like_metacharacters_are_escaped():
    assert escape_like(r"50%_off\now") == r"50\%\_off\\now"


def test_each_filter_becomes_its_condition():
    contact = uuid.uuid4()
    filters = DealFilters(
        statuses=(DealStatus.OPEN, DealStatus.WON),
        contact_id=contact,
        tags=("vip", "renewal"),
        text="50%",
        amount_min=100,
        close_to=date(2026, 1, 31),
        needs_review=True,
    )
    text = sql(page_query(filters, sort=DealSort.CREATED_DESC, after=None, limit=10))
    expected = [
        "deals.status IN",
        "deals.contact_id = ",
        "deals.contact_ids @> ",
        "deals.tags @> ",
        "deals.search_text LIKE",
        "ESCAPE",
        "deals.amount_minor >= ",
        "deals.expected_close_date <= ",
    ]
    assert [e for e in expected if e not in text] == []
    assert "deals.needs_review = " in text


@pytest.mark.parametrize(
    ("sort", "order", "compare"),
    [
        (DealSort.CREATED_DESC, "ORDER BY deals.created_at DESC, deals.id DESC", "<"),
        (DealSort.TITLE, "ORDER BY deals.title ASC, deals.id ASC", ">"),
        (
            DealSort.CLOSE,
            "ORDER BY coalesce(deals.expected_close_date, 'infinity'::date) ASC, deals.id ASC",
            ">",
        ),
        (
            DealSort.CLOSE_DESC,
            "ORDER BY coalesce(deals.expected_close_date, '-infinity'::date) DESC, deals.id DESC",
            "<",
        ),
    ],
)
def test_each_sort_pages_on_its_key_and_the_id(sort, order, compare):
    after = DealCursor(sort, VALUES.get(sort, "x"), IDENT)
    text = sql(page_query(DealFilters(), sort=sort, after=after, limit=10))
    assert order in text
    assert f", deals.id) {compare} (" in text


def test_a_null_close_date_cursor_continues_among_the_undated():
    after = DealCursor(DealSort.CLOSE, None, IDENT)
    text = sql(page_query(DealFilters(), sort=DealSort.CLOSE, after=after, limit=10))
    assert "> ('infinity'::date, " in text


def test_the_board_is_one_grouped_query_and_one_lateral_query():
    stage_ids = [uuid.uuid4(), uuid.uuid4()]
    totals = sql(board_totals_query(stage_ids, DealFilters(owner_id="alice")))
    assert "GROUP BY deals.stage_id, deals.currency" in totals
    assert "deals.owner_id = " in totals
    tops = sql(board_tops_query([uuid.uuid4()], DealFilters(), limit=21))
    assert "JOIN LATERAL" in tops
    assert "ORDER BY deals.rank, deals.id" in tops


def _deals(count: int) -> list[Deal]:
    stages = (Stage(uuid.uuid4(), "Open", 0, 10, StageKind.OPEN),)
    pipeline = Pipeline(id=uuid.uuid4(), name="P", currency="EUR", stages=stages)
    return [
        Deal.open(pipeline=pipeline, by="a", title=f"D{i}", amount_minor=i, owner_id="a", rank=float(i))
        for i in range(count)
    ]


def test_a_page_points_at_the_next_only_when_more_follow():
    found = _deals(4)
    full = DealPage.of(found, sort=DealSort.RANK, limit=3)
    assert [d.title for d in full.deals] == ["D0", "D1", "D2"]
    assert full.next_cursor == DealCursor(DealSort.RANK, 2.0, found[2].id).encode()
    assert DealPage.of(found[:3], sort=DealSort.RANK, limit=3).next_cursor is None
    assert DealPage.of([], sort=DealSort.RANK, limit=3).next_cursor is None


def test_a_cursor_of_the_longest_title_fits_the_cursor_parameter():
    cursor = DealCursor(DealSort.TITLE, "é" * 254 + "😀", IDENT)
    encoded = cursor.encode()
    assert len(encoded) <= 4096
    assert DealCursor.decode(encoded, sort=DealSort.TITLE) == cursor
