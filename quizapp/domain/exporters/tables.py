"""Streaming CSV and xlsx writers for the console's exports, safe from formula injection.

Both take an iterator of rows and never hold the whole table: CSV goes out line by line, and
xlsx is written by openpyxl's write-only mode into a temporary file that is then sent in
chunks (a zip's directory comes last, so the file must be complete before its first byte).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..importers.table import FORMULA_STARTS, escape_cell

BOM = "\ufeff"
CHUNK_BYTES = 64 * 1024
_CSV_ROWS_PER_CHUNK = 500


def csv_text(value: object) -> object:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading "'"."""
    if isinstance(value, str):
        return escape_cell(value)
    return "" if value is None else value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so that Excel on Chinese Windows opens it right), a few hundred rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([csv_text(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_text(value) for value in row])
        if count % _CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _cell(sheet, value: object):
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith(FORMULA_STARTS):
        return text
    # A string cell with Excel's quote prefix: shown exactly as written, never evaluated.
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_file(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[object]]):
    """A temporary file holding the rows as one xlsx sheet, rewound to its start."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by file_chunks once sent)
    book.save(handle)
    handle.seek(0)
    return handle


def file_chunks(handle) -> Iterator[bytes]:
    """Read a file out in chunks and close it at the end (or when the download is abandoned)."""
    try:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()
