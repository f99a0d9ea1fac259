"""The spreadsheet template as .xlsx: a 题库 sheet under the template header plus a 说明 sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from quizapp.domain.importers.table import FORMULA_STARTS, escape_cell
from quizapp.domain.questions import QuestionSpec
from quizapp.domain.template import EXAMPLES, HELP, NOTES

from . import register
from ._rows import header_for, row_for

_WIDTHS = {"题型": 9, "题干": 48, "答案": 9, "解析": 40, "出处": 30, "分类": 12, "难度": 6, "标签": 16, "有效期至": 12,
           "审核人": 12, "审核时间": 12}
_WRAP = {"题干", "解析"}
@register("xlsx", ".xlsx")
def export_xlsx(questions: Sequence[QuestionSpec], bank_name: str | None = None,
                bank_title: str | None = None) -> bytes:
    """The bank as an xlsx workbook that re-imports to the same questions."""
    header = header_for(questions)
    return _workbook(header, [row_for(q, header) for q in questions], bank_title or bank_name)


def template_xlsx() -> bytes:
    """An empty bank template with one worked example per question type and a 说明 sheet."""
    header = header_for([], extras=True)
    rows = [[kind, stem, *options, answer, why, source, category, level, "", ""]
            for kind, stem, options, answer, why, source, category, level in EXAMPLES]
    return _workbook(header, rows, None)


def _workbook(header: list[str], rows: list[list[object]], title: str | None) -> bytes:
    """Build and serialise the two-sheet workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(header)
    for row in rows:
        sheet.append([None] * len(row))
        for column, value in enumerate(row, start=1):
            _set(sheet.cell(sheet.max_row, column), value)
    _style(sheet, header)
    _help_sheet(book.create_sheet("说明"), title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _set(cell: Cell, value: object) -> None:
    """Write a value so text is never taken for a formula and round-trips through the importer."""
    if not isinstance(value, str):
        cell.value = value if value != "" else None
        return
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        # A typed-in string cell with Excel's quote prefix: shown as written, never evaluated.
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        # Only a leading "'" needs the importer's escape, so that it is not taken for one.
        cell.value = (escape_cell(value) if value.startswith("'") else value) or None


def _style(sheet: Worksheet, header: list[str]) -> None:
    """Bold frozen header, readable widths, wrapped long text, drop-down lists for 题型 and 难度."""
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(1, column)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = _WIDTHS.get(title, 18)
        if title in _WRAP:
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row, column).alignment = Alignment(wrap_text=True, vertical="top")
        if title in ("题型", "难度"):
            choices = '"单选题,多选题,判断题"' if title == "题型" else '"1,2,3"'
            rule = DataValidation(type="list", formula1=choices, allow_blank=True)
            rule.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"


def _help_sheet(sheet: Worksheet, title: str | None) -> None:
    """The 说明 sheet: what each column means, with an example value."""
    sheet.append([f"题库：{title}" if title else "药品安全知识竞赛题库模板"])
    sheet.append([])
    sheet.append(["列名", "填写说明", "示例"])
    for row in HELP:
        sheet.append(list(row))
    sheet.append([])
    for note in NOTES:
        sheet.append([note])
    for letter, width in (("A", 14), ("B", 70), ("C", 40)):
        sheet.column_dimensions[letter].width = width
    for cell in sheet[3]:
        cell.font = Font(bold=True)
