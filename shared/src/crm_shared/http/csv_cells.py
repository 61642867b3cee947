"""CSV exports that spreadsheets open safely: UTF-8 with a BOM, cells that can never run as formulas."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
"""Exports start with it so that spreadsheet tools read them as UTF-8."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab and line breaks, which cells may hold."""


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: control characters dropped; a cell that would start a
    formula (`=`, `+`, `-`, `@`, tab, carriage return, also after spaces) gets a leading quote."""
    text = CONTROL.sub("", cell)
    if text.startswith(FORMULA_START) or text.lstrip(" ").startswith(FORMULA_START):
        return "'" + text
    return text


def unquote(cell: str) -> str:
    """Undo the neutralisation: `'=1+2` reads back as `=1+2`, `'+33...` as `+33...`."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START:
        return cell[1:]
    return cell


def csv_lines(rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 lines (CRLF, quoted where needed) of neutralised cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
