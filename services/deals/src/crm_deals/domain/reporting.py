"""Report maths: weighted amounts, report periods, conversion rates and time spent in stages.

Pure: the queries count and sum in SQL; rounding, rates, periods and what counts as a change are
decided here, once, so that every report and the forecast agree.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any, Self
from uuid import UUID

from crm_shared.errors import InvalidInput


class ForecastGroup(StrEnum):
    OWNER = "owner"
    TEAM = "team"
    PIPELINE = "pipeline"


class WonLostGroup(StrEnum):
    OWNER = "owner"
    REASON = "reason"
    PIPELINE = "pipeline"


class Period(StrEnum):
    """Named as PostgreSQL's date_trunc fields, which bucket the rows the same way as `period_start`."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


UNDATED = "undated"
EARLIEST, LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
RATE_PLACES = Decimal("0.0001")
# Bookkeeping of every save: a revision's changes are what the user or the system changed.
NOT_CHANGES = frozenset({"version", "updated_at", "updated_by"})


def weighted_minor(amount_times_probability: int) -> int:
    """Sum of amount (minor units) times probability (%), back to minor units, rounded half-even once."""
    return int((Decimal(amount_times_probability) / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole to four places, half-even; None when there is nothing to divide."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


def average_seconds(total_seconds: Decimal | float | int, count: int) -> int | None:
    if count == 0:
        return None
    return int((Decimal(total_seconds) / count).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class Sums:
    """Amounts of a group of deals in one currency; weighted is rounded only when shown."""

    count: int = 0
    amount_minor: int = 0
    amount_times_probability: int = 0
    best_case_minor: int = 0
    worst_case_minor: int = 0

    @property
    def weighted_minor(self) -> int:
        return weighted_minor(self.amount_times_probability)

    def __add__(self, other: "Sums") -> "Sums":
        return Sums(
            self.count + other.count,
            self.amount_minor + other.amount_minor,
            self.amount_times_probability + other.amount_times_probability,
            self.best_case_minor + other.best_case_minor,
            self.worst_case_minor + other.worst_case_minor,
        )


def totals_by_currency(rows: Iterable[tuple[str, Sums]]) -> dict[str, Sums]:
    totals: dict[str, Sums] = {}
    for currency, sums in rows:
        totals[currency] = totals.get(currency, Sums()) + sums
    return dict(sorted(totals.items()))


# Periods and months


def period_start(day: date, period: Period) -> date:
    """The first day of the period holding `day`: Monday (ISO week), first of month or of quarter."""
    match period:
        case Period.WEEK:
            return day - timedelta(days=day.weekday())
        case Period.MONTH:
            return day.replace(day=1)
        case Period.QUARTER:
            return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_end(start: date, period: Period) -> date:
    """The first day of the next period (exclusive end)."""
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return add_months(start, 3 if period is Period.QUARTER else 1)


def period_label(start: date, period: Period) -> str:
    match period:
        case Period.WEEK:
            year, week, _ = start.isocalendar()
            return f"{year}-W{week:02d}"
        case Period.MONTH:
            return f"{start:%Y-%m}"
        case Period.QUARTER:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def whole_periods(first: date | None, last: date | None, period: Period) -> tuple[date | None, date | None]:
    """[start, end) covering the periods of `first` and `last` whole: no period is cut short."""
    check_order(first, last)
    start = None if first is None else period_start(first, period)
    end = None if last is None else period_end(period_start(last, period), period)
    return start, end


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str, field_name: str) -> date:
    """`YYYY-MM` -> the first day of that month."""
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise InvalidInput(field_name, "a month as YYYY-MM") from None


def month_label(first_day: date | None) -> str:
    return UNDATED if first_day is None else f"{first_day:%Y-%m}"


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def whole_days(first: date | None, last: date | None) -> tuple[datetime, datetime]:
    """[start, end) of the days from `first` to `last` included, in UTC; open ends reach any time."""
    check_order(first, last)
    start = EARLIEST if first is None else utc_midnight(first)
    return start, LATEST if last is None else utc_midnight(last + timedelta(days=1))


def check_order(first: date | datetime | None, last: date | datetime | None) -> None:
    if first is not None and last is not None and first > last:
        raise InvalidInput("to", "the end comes on or after the start")


# Report questions


@dataclass(frozen=True, kw_only=True)
class ForecastQuery:
    group_by: ForecastGroup = ForecastGroup.OWNER
    first_month: date | None = None
    last_month: date | None = None
    include_undated: bool = True
    pipeline_id: UUID | None = None
    owner_id: str | None = None
    team: str | None = None

    def __post_init__(self) -> None:
        check_order(self.first_month, self.last_month)

    @property
    def end(self) -> date | None:
        """Exclusive end: the first day after the last month."""
        return None if self.last_month is None else add_months(self.last_month, 1)


@dataclass(frozen=True, kw_only=True)
class WonLostQuery:
    period: Period = Period.MONTH
    group_by: WonLostGroup = WonLostGroup.OWNER
    start: date | None = None
    end: date | None = None
    pipeline_id: UUID | None = None
    owner_id: str | None = None

    @classmethod
    def between(cls, first: date | None, last: date | None, period: Period, **filters: Any) -> Self:
        start, end = whole_periods(first, last, period)
        return cls(period=period, start=start, end=end, **filters)


# Stage history of one deal


@dataclass(frozen=True, kw_only=True)
class StagePeriod:
    pipeline_id: UUID
    stage_id: UUID
    stage_name: str
    stage_kind: str
    entered_at: datetime
    entered_by: str
    left_at: datetime | None

    def seconds(self, now: datetime) -> int:
        """Time spent in the stage; a period not ended yet counts until `now`."""
        return int(((self.left_at or now) - self.entered_at).total_seconds())


@dataclass(kw_only=True)
class StageTime:
    pipeline_id: UUID
    stage_id: UUID
    stage_name: str
    visits: int = 0
    elapsed: timedelta = field(default_factory=timedelta)

    @property
    def seconds(self) -> int:
        return int(self.elapsed.total_seconds())


def time_in_stages(periods: Iterable[StagePeriod], now: datetime) -> list[StageTime]:
    """Total time per stage over every visit, in the order the stages were first entered."""
    totals: dict[UUID, StageTime] = {}
    for period in periods:
        total = totals.setdefault(
            period.stage_id,
            StageTime(pipeline_id=period.pipeline_id, stage_id=period.stage_id, stage_name=period.stage_name),
        )
        total.visits += 1
        total.elapsed += (period.left_at or now) - period.entered_at
    return list(totals.values())


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs between two snapshots; the first revision has nothing to compare to."""
    if before is None:
        return {}
    names = (set(before) | set(after)) - NOT_CHANGES
    return {n: (before.get(n), after.get(n)) for n in sorted(names) if before.get(n) != after.get(n)}


# Stage conversion


@dataclass(frozen=True, kw_only=True)
class StageCounts:
    """What the periods of one stage say over the report's range (counted in SQL)."""

    stage_id: UUID
    name: str
    kind: str
    position: int
    entered: int
    converted: int
    left: int
    still_in_stage: int
    seconds_left: Decimal


@dataclass(frozen=True, kw_only=True)
class StageConversion:
    counts: StageCounts
    conversion_rate: Decimal | None
    average_seconds: int | None

    @classmethod
    def of(cls, counts: StageCounts) -> "StageConversion":
        """Conversion means moving on from an open stage, so won and lost stages have no rate.
        The average time counts the periods that ended: one still running is not a full stay."""
        is_open = counts.kind == "open"
        return cls(
            counts=counts,
            conversion_rate=rate(counts.converted, counts.entered) if is_open else None,
            average_seconds=average_seconds(counts.seconds_left, counts.left),
        )
