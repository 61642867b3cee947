"""CSV files in and out: reading an uploaded table, and writing cells that spreadsheets cannot run.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from crm_shared.errors import InvalidInput
from crm_shared.http.csv_cells import BOM, CONTROL, FORMULA_START, csv_lines, neutralise, unquote

__all__ = ["BOM", "CONTROL", "FORMULA_START", "CsvTable", "csv_lines", "neutralise", "read_csv", "unquote"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
DELIMITERS = ",;\t"


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    """(row number, {column: cell}) of each record, blank rows left out; cells are stripped."""
    too_long: list[int]
    """Rows with more cells than the header has columns."""


def read_csv(data: bytes) -> CsvTable:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InvalidInput("file", "the file has no header row naming its columns")
        columns = _columns(header)
        rows: list[tuple[int, dict[str, str]]] = []
        too_long: list[int] = []
        for number, cells in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                raise InvalidInput("file", f"more than {MAX_ROWS} rows: split the file")
            if len(cells) > len(columns):
                too_long.append(number)
            values = {c: v.strip() for c, v in zip(columns, cells, strict=False) if c}
            if any(values.values()) or number in too_long:
                rows.append((number, values))
    except csv.Error as exc:
        raise InvalidInput("file", f"not a CSV file: {exc}") from exc
    return CsvTable(columns, rows, too_long)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("file", "the file is not UTF-8 text: save it as CSV UTF-8") from exc


def _delimiter(text: str) -> str:
    """Commas, or the semicolons of spreadsheets in French, or tabs: whichever the header uses most."""
    first_line = text.split("\n", 1)[0]
    return max(DELIMITERS, key=first_line.count)


def _columns(header: Sequence[str]) -> list[str]:
    columns = [h.strip().lower() for h in header]
    named = [c for c in columns if c]
    repeated = sorted({c for c in named if named.count(c) > 1})
    if repeated:
        raise InvalidInput("file", f"columns named twice: {', '.join(repeated)}")
    return columns
