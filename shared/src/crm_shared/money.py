"""Money as integer minor units plus an ISO 4217 currency: the digits of each currency, and exact
decimal renderings (no float on the way)."""

from collections.abc import Mapping

# ISO 4217 minor units where they are not 2.
CURRENCY_EXPONENTS: Mapping[str, int] = {
    "BHD": 3, "CLP": 0, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "OMR": 3, "TND": 3,
    "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip


def exponent_of(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency.upper(), 2)


def split_minor(amount_minor: int, currency: str) -> tuple[str, int, str]:
    """(sign, whole units, fraction digits): `-123450, "EUR"` -> `("-", 1234, "50")`."""
    exponent = exponent_of(currency)
    units, fraction = divmod(abs(amount_minor), 10**exponent)
    return ("-" if amount_minor < 0 else ""), units, (f"{fraction:0{exponent}d}" if exponent else "")


def decimal_amount(amount_minor: int, currency: str) -> str:
    """`123450, "EUR"` -> `1234.50`; `1500, "JPY"` -> `1500`."""
    sign, units, fraction = split_minor(amount_minor, currency)
    return f"{sign}{units}.{fraction}" if fraction else f"{sign}{units}"
