"""Report maths: weighted rounding, periods and months, conversion rates, time in stages, changes."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from crm_deals.domain.reporting import (
    EARLIEST,
    LATEST,
    ForecastQuery,
    Period,
    StageConversion,
    StageCounts,
    StagePeriod,
    Sums,
    WonLostQuery,
    average_seconds,
    changed_fields,
    month_label,
    parse_month,
    period_end,
    period_label,
    period_start,
    rate,
    time_in_stages,
    totals_by_currency,
    weighted_minor,
    whole_days,
)
from crm_shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("amount", "probability", "expected"),
    [
        (125, 10, 12),  # 12.5 -> 12 (half-even), not 13
        (135, 10, 14),  # 13.5 -> 14
        (1001, 50, 500),  # 500.5 -> 500
        (1003, 50, 502),  # 501.5 -> 502
        (999, 33, 330),  # 329.67 -> 330
        (0, 80, 0),
        (10**15 + 1, 50, 5 * 10**14),  # big amounts stay exact (Decimal, no float)
    ],
)
def test_weighted_amounts_round_half_even(amount, probability, expected):
    assert weighted_minor(amount * probability) == expected


def test_a_group_is_weighted_once_on_its_sum_not_deal_by_deal():
    sums = Sums(count=1, amount_minor=125, amount_times_probability=125 * 10) + Sums(
        count=1, amount_minor=125, amount_times_probability=125 * 10
    )
    assert sums.weighted_minor == 25  # 2 x 12.5 = 25, where rounding each would give 24
    assert (sums.count, sums.amount_minor) == (2, 250)


def test_totals_add_up_per_currency_in_currency_order():
    totals = totals_by_currency(
        [("USD", Sums(1, 100, 1000, 100, 50)), ("EUR", Sums(2, 10, 50, 20, 5)), ("USD", Sums(1, 1, 1, 1, 1))]
    )
    assert list(totals) == ["EUR", "USD"]
    assert totals["USD"] == Sums(2, 101, 1001, 101, 51)


@pytest.mark.parametrize(
    ("day", "period", "start", "label"),
    [
        (date(2026, 1, 1), Period.WEEK, date(2025, 12, 29), "2026-W01"),  # ISO week of Thursday 1 Jan
        (date(2026, 3, 15), Period.WEEK, date(2026, 3, 9), "2026-W11"),
        (date(2026, 3, 9), Period.WEEK, date(2026, 3, 9), "2026-W11"),  # a Monday starts its week
        (date(2026, 3, 31), Period.MONTH, date(2026, 3, 1), "2026-03"),
        (date(2026, 3, 31), Period.QUARTER, date(2026, 1, 1), "2026-Q1"),
        (date(2026, 4, 1), Period.QUARTER, date(2026, 4, 1), "2026-Q2"),
        (date(2026, 12, 31), Period.QUARTER, date(2026, 10, 1), "2026-Q4"),
    ],
)
def test_periods_start_like_date_trunc_and_have_labels(day, period, start, label):
    assert period_start(day, period) == start
    assert period_label(start, period) == label


def test_period_ends_are_the_next_period_starts():
    assert period_end(date(2026, 3, 9), Period.WEEK) == date(2026, 3, 16)
    assert period_end(date(2026, 12, 1), Period.MONTH) == date(2027, 1, 1)
    assert period_end(date(2026, 10, 1), Period.QUARTER) == date(2027, 1, 1)


def test_won_lost_ranges_are_widened_to_whole_periods():
    query = WonLostQuery.between(date(2026, 1, 15), date(2026, 2, 10), Period.MONTH)
    assert (query.start, query.end) == (date(2026, 1, 1), date(2026, 3, 1))
    quarter = WonLostQuery.between(date(2026, 2, 1), date(2026, 2, 1), Period.QUARTER)
    assert (quarter.start, quarter.end) == (date(2026, 1, 1), date(2026, 4, 1))
    assert WonLostQuery.between(None, None, Period.WEEK).start is None
    with pytest.raises(InvalidInput):
        WonLostQuery.between(date(2026, 2, 1), date(2026, 1, 1), Period.MONTH)


def test_months_parse_and_the_forecast_range_ends_after_its_last_month():
    query = ForecastQuery(first_month=parse_month("2026-11", "from"), last_month=parse_month("2026-12", "to"))
    assert query.end == date(2027, 1, 1)
    assert month_label(date(2026, 11, 1)) == "2026-11"
    assert month_label(None) == "undated"
    with pytest.raises(InvalidInput):
        parse_month("2026-13", "from")
    with pytest.raises(InvalidInput):
        ForecastQuery(first_month=date(2026, 5, 1), last_month=date(2026, 4, 1))


def test_whole_days_cover_the_last_day_and_open_ends_reach_any_time():
    start, end = whole_days(date(2026, 1, 1), date(2026, 1, 31))
    assert start == datetime(2026, 1, 1, tzinfo=UTC)
    assert end == datetime(2026, 2, 1, tzinfo=UTC)
    assert whole_days(None, None) == (EARLIEST, LATEST)


def test_rates_and_averages():
    assert rate(1, 3) == Decimal("0.3333")
    assert rate(2, 3) == Decimal("0.6667")
    assert rate(0, 0) is None
    assert average_seconds(Decimal("1382400"), 3) == 460800
    assert average_seconds(5, 2) == 2  # 2.5 -> 2, half-even
    assert average_seconds(0, 0) is None


def counts(kind: str = "open", **values: int) -> StageCounts:
    defaults = {"entered": 4, "converted": 2, "left": 3, "still_in_stage": 1}
    return StageCounts(
        stage_id=uuid.uuid4(),
        name="Stage",
        kind=kind,
        position=0,
        seconds_left=Decimal(values.pop("seconds_left", 1382400)),
        **(defaults | values),
    )


def test_conversion_of_an_open_stage():
    conversion = StageConversion.of(counts())
    assert conversion.conversion_rate == Decimal("0.5000")
    assert conversion.average_seconds == 460800


def test_won_and_lost_stages_have_no_conversion_and_empty_stages_no_rate():
    assert StageConversion.of(counts("won", entered=3, converted=0)).conversion_rate is None
    empty = StageConversion.of(counts(entered=0, converted=0, left=0, still_in_stage=0, seconds_left=0))
    assert (empty.conversion_rate, empty.average_seconds) == (None, None)


T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def period(stage: uuid.UUID, entered: datetime, left: datetime | None, name: str = "S") -> StagePeriod:
    return StagePeriod(
        pipeline_id=uuid.UUID(int=1),
        stage_id=stage,
        stage_name=name,
        stage_kind="open",
        entered_at=entered,
        entered_by="alice",
        left_at=left,
    )


def test_time_in_stages_adds_every_visit_and_counts_the_current_one_until_now():
    first, second = uuid.uuid4(), uuid.uuid4()
    day = timedelta(days=1)
    periods = [
        period(first, T0, T0 + day, "First"),
        period(second, T0 + day, T0 + 3 * day, "Second"),
        period(first, T0 + 3 * day, None, "First"),
    ]
    now = T0 + 3 * day + timedelta(hours=2)
    assert [p.seconds(now) for p in periods] == [86400, 172800, 7200]
    totals = time_in_stages(periods, now)
    assert [(t.stage_name, t.visits, t.seconds) for t in totals] == [
        ("First", 2, 93600),
        ("Second", 1, 172800),
    ]


def test_changes_between_revisions_ignore_bookkeeping():
    before = {"amount_minor": 1000, "title": "Site", "version": 3, "updated_at": "a", "updated_by": "x"}
    after = {"amount_minor": 1200, "title": "Site", "version": 4, "updated_at": "b", "updated_by": "y"}
    assert changed_fields(before, after) == {"amount_minor": (1000, 1200)}
    assert changed_fields(None, after) == {}
    assert changed_fields({"tags": []}, {"tags": ["vip"], "score": None}) == {"tags": ([], ["vip"])}
