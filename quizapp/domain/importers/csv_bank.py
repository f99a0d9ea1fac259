"""The spreadsheet template saved as CSV: UTF-8 (with or without BOM), UTF-16 or GBK/GB18030."""

from __future__ import annotations

import csv
import io

from quizapp.domain.questions import ImportResult, RowError

from . import register
from ._text import decode_or_report
from .table import read_table


@register(".csv")
def parse_csv(data: bytes, filename: str = "", *, result: ImportResult | None = None) -> ImportResult:
    """Parse a CSV bank; row numbers are as Excel shows them (header = row 1)."""
    result = result if result is not None else ImportResult()
    text = decode_or_report(data, result, "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”")
    if text is None:
        return result
    reader = records(text)
    try:
        # Records, not physical lines: a quoted cell with line breaks is still one spreadsheet row.
        read_table(enumerate(reader, start=1), result)
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, "", f"CSV 格式错误：{exc}"))
    return result


def records(text: str):
    """A csv reader over decoded text, comma- or tab-separated as its first line shows."""
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" export is tab-separated; a header with tabs and no commas is one of those.
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
