"""The 错误 workbook of a refused import: the organizer's own rows with each row's messages beside them."""

from __future__ import annotations

import io
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from quizapp.domain.importers._text import decode_text
from quizapp.domain.importers._xlsx_reader import open_streaming
from quizapp.domain.importers.csv_bank import records
from quizapp.domain.importers.table import header_key, unescape_cell
from quizapp.domain.importers.xlsx_bank import READ_COLUMNS, check_zip, question_sheet
from quizapp.domain.questions import RowError

from .xlsx_bank import _set

ERROR_COLUMN = "错误"
_ERROR_FILL = PatternFill("solid", fgColor="FDE8E8")
LIST_HEADER = ("行/题号", "列", "错误")


def error_workbook(data: bytes, filename: str, errors: Sequence[RowError]) -> bytes:
    """For xlsx/csv: every row as uploaded (same row numbers) plus an 错误 column; else a list of errors."""
    rows = _spreadsheet_rows(data, filename)
    if rows is None or not any(e.line > 0 for e in errors):
        return _error_list(errors)
    return _annotated(rows, errors)


def _spreadsheet_rows(data: bytes, filename: str) -> list[list[object]] | None:
    """The rows of an xlsx or csv upload as read for import, or None for other formats or unreadable files."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix == ".csv":
            return [list(row) for row in records(decode_text(data))]
        if suffix == ".xlsx" and check_zip(data) is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = open_streaming(data)
            try:
                sheet = question_sheet(book)
                return None if sheet is None else [_trimmed(row) for row in sheet.iter_rows(values_only=True, max_col=READ_COLUMNS)]
            finally:
                book.close()
    except Exception:  # an unreadable file was already reported as an error; fall back to the list
        return None
    return None


def _trimmed(row: Sequence[object]) -> list[object]:
    """A row without the empty cells that pad it to READ_COLUMNS."""
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _header_index(rows: list[list[object]]) -> int:
    """The header row's index, found as the importer finds it (the first row naming 题干 and 答案)."""
    for index, row in enumerate(rows):
        keys = {header_key(cell) for cell in row}
        if "stem" in keys and "answer" in keys:
            return index
    return 0


def _annotated(rows: list[list[object]], errors: Sequence[RowError]) -> bytes:
    """Copy the rows; the 错误 column (reused if the file already has one) holds each row's messages."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        by_row[max(error.line, 1)].append(_message(error))
    header_at = _header_index(rows)
    header = [str(c).strip() if c is not None else "" for c in rows[header_at]] if rows else []
    column = header.index(ERROR_COLUMN) if ERROR_COLUMN in header else len(header)
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    for number in range(1, max(len(rows), max(by_row, default=0)) + 1):
        cells = list(rows[number - 1]) if number <= len(rows) else []
        cells += [None] * (column + 1 - len(cells))
        cells[column] = ERROR_COLUMN if number == header_at + 1 else "\n".join(by_row.get(number, [])) or None
        _write_row(sheet, number, cells, error_at=column if number in by_row else None)
    _style(sheet, header_at + 1, column + 1)
    return _save(book)


def _message(error: RowError) -> str:
    """One error without its row number (the row itself says it): "答案: 'Z' 不是选项字母"."""
    return f"{error.column}: {error.message}" if error.column else error.message


def _write_row(sheet, number: int, cells: Iterable[object], error_at: int | None) -> None:
    for index, value in enumerate(cells):
        if value is None:
            continue
        cell = sheet.cell(number, index + 1)
        # The formula guard of an exported cell is undone, then applied again by the exporter's writer.
        _set(cell, unescape_cell(value) if isinstance(value, str) else value)
    if error_at is not None:
        cell = sheet.cell(number, error_at + 1)
        cell.fill = _ERROR_FILL
        cell.font = Font(color="8A0018", bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _style(sheet, header_row: int, error_column: int) -> None:
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions[sheet.cell(header_row, error_column).column_letter].width = 50
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)


def _error_list(errors: Sequence[RowError]) -> bytes:
    """A sheet of (行/题号, 列, 错误) for files that are not spreadsheets."""
    book = Workbook()
    sheet = book.active
    sheet.title = "错误"
    sheet.append(list(LIST_HEADER))
    for number, error in enumerate(errors, start=2):
        where = f"第 {error.line} {error.unit}" if error.line > 0 else "整个文件"
        for index, value in enumerate((where, error.column, error.message), start=1):
            _set(sheet.cell(number, index), value)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 12), ("B", 12), ("C", 80)):
        sheet.column_dimensions[letter].width = width
    return _save(book)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
