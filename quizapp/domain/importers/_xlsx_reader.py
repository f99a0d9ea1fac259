"""Opening an uploaded xlsx for streaming reads, without openpyxl's up-front scan of every sheet."""

from __future__ import annotations

import io

from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that skips the <dimension> look-up when it is opened.

    openpyxl looks for <dimension> when a workbook opens; a sheet written without one (many generators
    omit it) is parsed to its end for nothing: 100,000 rows cost seconds before the first row is read.
    The importers read every row anyway, with `reset_dimensions()`, so the size is not needed."""

    def _get_size(self) -> None:
        return None


class _StreamingReader(ExcelReader):
    """openpyxl's reader in read-only mode, its worksheets made _UnsizedSheet."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def open_streaming(data: bytes) -> Workbook:
    """A read-only, values-only workbook over `data`; close it after use."""
    reader = _StreamingReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb
