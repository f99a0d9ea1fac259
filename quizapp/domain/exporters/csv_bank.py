"""The spreadsheet template as CSV: UTF-8 with a BOM so Excel on Chinese Windows opens it correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from quizapp.domain.importers.table import escape_cell
from quizapp.domain.questions import QuestionSpec

from . import register
from ._rows import header_for, row_for


@register("csv", ".csv")
def export_csv(questions: Sequence[QuestionSpec], bank_name: str | None = None,
               bank_title: str | None = None) -> bytes:
    """The bank as CSV under the template header; formula-like text is guarded with a "'"."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = header_for(questions)
    writer.writerow(header)
    for spec in questions:
        writer.writerow([escape_cell(v) if isinstance(v, str) else v for v in row_for(spec, header)])
    return buffer.getvalue().encode("utf-8-sig")
