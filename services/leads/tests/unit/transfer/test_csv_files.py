"""Reading uploaded CSV files and writing export cells that spreadsheets cannot run."""

import csv
import io

import pytest

from crm_leads.adapters.transfer.csv_files import BOM, MAX_ROWS, csv_lines, neutralise, read_csv, unquote
from crm_shared.errors import InvalidInput


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    table = read_csv(b"Last_Name,Email\nHopper,grace@navy.mil\n\n,\nLovelace,ada@example.org\n")
    assert table.columns == ["last_name", "email"]
    assert table.rows == [
        (2, {"last_name": "Hopper", "email": "grace@navy.mil"}),
        (5, {"last_name": "Lovelace", "email": "ada@example.org"}),
    ]


def test_semicolons_bom_and_quoted_line_breaks_are_read() -> None:
    data = (BOM + 'last_name;description\r\n"Hopper";"two\r\nlines; and more"\r\nLovelace;x\r\n').encode()
    table = read_csv(data)
    assert table.rows[0] == (2, {"last_name": "Hopper", "description": "two\r\nlines; and more"})
    assert table.rows[1][0] == 3


def test_a_row_with_more_cells_than_columns_is_flagged() -> None:
    table = read_csv(b"last_name\nHopper,extra\nLovelace\n")
    assert table.too_long == [2]
    assert [number for number, _ in table.rows] == [2, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no header"),
        (b"last_name,Last_Name\nx,y\n", "named twice"),
        ("last_name\nJos\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"last_name\n" + b"x\n" * (MAX_ROWS + 1), "split the file"),
    ],
)
def test_unreadable_files_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_csv(data)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33123456789", "'+33123456789"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("a\x00b\x07c\x1bd", "abcd"),
        ("\x00=1", "'=1"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("line\nbreak", "line\nbreak"),
        ("a=b", "a=b"),
    ],
)
def test_cells_that_would_run_as_formulas_are_neutralised(cell: str, written: str) -> None:
    assert neutralise(cell) == written


def test_an_import_reads_neutralised_cells_back() -> None:
    for cell in ("=1+2", "+33123456789", "-x", "@me", "plain", "'quoted"):
        assert unquote(neutralise(cell)) == cell


def test_export_lines_are_quoted_csv_of_neutralised_cells() -> None:
    text = csv_lines([["id", "name"], ["1", '=cmd|" /C calc"!A0'], ["2", "a,b"]])
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "name"],
        ["1", '\'=cmd|" /C calc"!A0'],
        ["2", "a,b"],
    ]
