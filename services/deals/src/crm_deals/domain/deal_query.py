"""Deal lists and boards: filters, sort orders, keyset cursors (sort value + id of the last row seen)."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from crm_deals.domain import deal_values
from crm_deals.domain.model import Deal, DealStatus
from crm_deals.domain.pipelines import Pipeline, Stage
from crm_shared.errors import InvalidInput
from crm_shared.pagination import decode_sorted, encode_sorted


class DealSort(StrEnum):
    CREATED_DESC = "-created_at"
    CREATED = "created_at"
    UPDATED_DESC = "-updated_at"
    UPDATED = "updated_at"
    AMOUNT_DESC = "-amount_minor"
    AMOUNT = "amount_minor"
    CLOSE = "expected_close_date"
    CLOSE_DESC = "-expected_close_date"
    TITLE = "title"
    RANK = "rank"
    """Kanban order within a stage (what the board shows)."""

    @property
    def column(self) -> str:
        return self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")

    @property
    def nullable(self) -> bool:
        """Deals without a value come last, whichever the direction."""
        return self.column == "expected_close_date"


CursorValue = datetime | date | int | float | str | None


@dataclass(frozen=True)
class DealCursor:
    sort: DealSort
    value: CursorValue
    id: UUID

    @classmethod
    def after(cls, deal: Deal, sort: DealSort) -> "DealCursor":
        return cls(sort, getattr(deal, sort.column), deal.id)

    def encode(self) -> str:
        return encode_sorted(self.sort.value, self.value, self.id)

    @classmethod
    def decode(cls, token: str, *, sort: DealSort) -> "DealCursor":
        """A cursor continues the sort it was made for; anything else is refused, naming `cursor`."""
        value, ident = decode_sorted(token, sort=sort.value)
        try:
            return cls(sort, _typed(sort, value), ident)
        except (ValueError, TypeError) as exc:
            raise InvalidInput("cursor", "malformed cursor") from exc


def _typed(sort: DealSort, value: object) -> CursorValue:
    if value is None and sort.nullable:
        return None
    column = sort.column
    if column in ("created_at", "updated_at") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a cursor's time carries its offset")
        return moment
    if column == "expected_close_date" and isinstance(value, str):
        return date.fromisoformat(value)
    if column == "amount_minor" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if column == "rank" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if column == "title" and isinstance(value, str):
        return value
    raise ValueError("the cursor's value does not fit its sort")


@dataclass(frozen=True, kw_only=True)
class DealFilters:
    """Every filter given must hold (AND); None or empty means not filtered."""

    statuses: tuple[DealStatus, ...] = ()
    mine: bool = False
    """Only the caller's deals: resolved into `owner_id` by `for_actor`."""
    pipeline_id: UUID | None = None
    stage_id: UUID | None = None
    owner_id: str | None = None
    team: str | None = None
    account_id: UUID | None = None
    contact_id: UUID | None = None
    """The primary contact or one of the secondary ones."""
    amount_min: int | None = None
    amount_max: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    tags: tuple[str, ...] = ()
    """Every tag named is on the deal."""
    text: str | None = None
    """Case-insensitive substring of the title or the description."""
    needs_review: bool | None = None

    def __post_init__(self) -> None:
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            raise InvalidInput("amount_min", "cannot exceed amount_max")
        if self.close_from is not None and self.close_to is not None and self.close_from > self.close_to:
            raise InvalidInput("close_from", "cannot be after close_to")
        # Tags are stored trimmed and lower-cased: look them up the same way.
        object.__setattr__(self, "tags", deal_values.tags(self.tags) if self.tags else ())
        object.__setattr__(self, "text", (self.text or "").strip() or None)

    def for_actor(self, user_id: str) -> "DealFilters":
        """`mine` becomes the owner filter; naming another owner as well would match nothing."""
        if not self.mine:
            return self
        if self.owner_id is not None and self.owner_id != user_id:
            raise InvalidInput("owner_id", "mine=true already filters on the caller as owner")
        return replace(self, mine=False, owner_id=user_id)


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    count: int
    amount_minor: int
    weighted_minor: int
    """Sum of amount x probability / 100, rounded half away from zero."""


@dataclass(frozen=True)
class DealPage:
    deals: list[Deal]
    next_cursor: str | None

    @classmethod
    def of(cls, found: list[Deal], *, sort: DealSort, limit: int) -> "DealPage":
        """`found` holds up to `limit + 1` deals: one more than shown means another page follows."""
        shown = found[:limit]
        more = len(found) > limit and bool(shown)
        return cls(shown, DealCursor.after(shown[-1], sort).encode() if more else None)


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    totals: list[CurrencyTotal]
    page: DealPage

    @property
    def count(self) -> int:
        return sum(t.count for t in self.totals)


@dataclass(frozen=True)
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn] = field(default_factory=list)
