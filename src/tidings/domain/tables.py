"""Spreadsheets in and out: CSV and Excel (.xlsx) files as rows of named cells (B6, C3).

A file is refused whole (``bad_file``, nothing written) when it cannot be read, has no header,
lacks a required column, names an unknown column or has too many rows. Rows are then checked
one by one by the importer, which reports each.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tidings.domain.errors import ErrorCode, TidingsError

MAX_ROWS = 20_000
MAX_CELL_CHARS = 1_000
# The largest file an import reads, whether a REST body or an uploaded file (WebSocket ops).
MAX_TABLE_BYTES = 1024 * 1024


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: dict[str, str]


def format_of_file(name: str, mime: str) -> TableFormat:
    """An uploaded file's format, from its media type or its name; CSV unless it says xlsx."""
    if mime == XLSX_MIME or name.lower().endswith(".xlsx"):
        return TableFormat.XLSX
    return TableFormat.CSV


def bad_file(message: str) -> TidingsError:
    return TidingsError(ErrorCode.BAD_FILE, message)


def read_table(
    data: bytes,
    table_format: TableFormat,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[Row]:
    """Rows keyed by lower-case column name; empty rows skipped."""
    if not data:
        raise bad_file("the file is empty")
    grid = _csv_grid(data) if table_format is TableFormat.CSV else _xlsx_grid(data)
    header_index = next((i for i, row in enumerate(grid) if any(c.strip() for c in row)), None)
    if header_index is None:
        raise bad_file("the file has no header row")
    header = [c.strip().lower() for c in grid[header_index]]
    while header and not header[-1]:
        header.pop()
    known = set(required) | set(optional)
    unknown = [h for h in header if h not in known]
    missing = [r for r in required if r not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise bad_file(
            f"columns must be {', '.join(required)}"
            + (f" (optional: {', '.join(optional)})" if optional else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )
    rows: list[Row] = []
    for offset, raw in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if not any(c.strip() for c in raw):
            continue
        if len(rows) >= MAX_ROWS:
            raise bad_file(f"at most {MAX_ROWS} rows per file")
        if any(len(c) > MAX_CELL_CHARS for c in raw):
            raise bad_file(f"row {offset}: a cell longer than {MAX_CELL_CHARS} characters")
        padded = [*raw, *[""] * (len(header) - len(raw))]
        if any(c.strip() for c in padded[len(header) :]):
            raise bad_file(f"row {offset} has more cells than the header")
        rows.append(Row(offset, {h: padded[i].strip() for i, h in enumerate(header)}))
    return rows


def write_table(header: Sequence[str], rows: Iterable[Sequence[str]], fmt: TableFormat) -> bytes:
    if fmt is TableFormat.CSV:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        # A byte-order mark so Excel opens UTF-8 (Chinese names) correctly.
        return ("\ufeff" + out.getvalue()).encode()
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_grid(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_file("a CSV file must be UTF-8") from None
    if "\x00" in text:
        raise bad_file("this is not a CSV file")
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as exc:
        raise bad_file(f"the CSV file cannot be read: {exc}") from None


def _xlsx_grid(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise bad_file("this is not an Excel (.xlsx) file") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise bad_file("the workbook has no sheet")
        grid: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            if len(grid) > MAX_ROWS + 1:
                raise bad_file(f"at most {MAX_ROWS} rows per file")
            grid.append([_cell(v) for v in values])
        return grid
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Phone numbers typed into Excel come back as 13800000000.0.
        return str(int(value))
    return str(value)
