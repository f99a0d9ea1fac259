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

from . import register
from ._rows import header_for, row_for

_WIDTHS = {"题型": 9, "题干": 48, "答案": 9, "解析": 40, "出处": 30, "分类": 12, "难度": 6, "标签": 16, "有效期至": 12,
           "审核人": 12, "审核时间": 12}
_WRAP = {"题干", "解析"}
HELP = (
    ("题型", "必填。单选题、多选题或判断题（也可写 单选、多选、判断）", "单选题"),
    ("题干", "必填。题目正文", "下列情形中按假药论处的是（ ）。"),
    ("选项A–选项F", "单选、多选题的选项，至少两个，从选项A起连续填写；判断题不填", "变质的药品"),
    ("答案", "必填。单选填一个字母；多选填多个字母（ACD 或 A、C、D）；判断题填 正确/错误（也可写 对/错、√/×）", "B"),
    ("解析", "交卷后展示给参赛者的讲解，可换行", "依据药品管理法第九十八条……"),
    ("出处", "法规或指南依据", "《中华人民共和国药品管理法》第九十八条"),
    ("分类", "按分类抽题时使用，可不填", "假药与劣药"),
    ("难度", "1（易）、2（中）、3（难），可不填", "2"),
    ("标签", "可选列。多个标签用顿号或逗号分隔", "儿童用药、退热"),
    ("有效期至", "可选列。题目适用到哪天，如法规修订前", "2026-12-31"),
    ("审核人、审核时间", "可选列。已审核的题填写审核人和审核日期（两项同时填写），导入后为“已审核”", "张药师　2026-11-20"),
)
NOTES = (
    "第 1 行是表头，请勿修改列名；每行一道题，空行会被忽略。",
    "导入时只要有一行出错，整个文件都不会导入，并逐条提示出错的行号和列名。",
    "本“说明”工作表不会被导入；题目请填在第一个工作表里。模板中的示例题请在导入前删除。",
)
EXAMPLES = (
    ("单选题", "根据《中华人民共和国药品管理法》，下列情形中按假药论处的是（ ）。",
     ["药品所含成分与国家药品标准规定的成分不符", "药品成分的含量不符合国家药品标准", "被污染的药品",
      "未标明或者更改有效期的药品", "", ""], "A",
     "成分不符的按假药论处；含量不符、被污染、未标明或者更改有效期的为劣药。",
     "《中华人民共和国药品管理法》第九十八条", "假药与劣药", 2),
    ("多选题", "根据《中华人民共和国药品管理法》，下列属于劣药的有（ ）。",
     ["被污染的药品", "超过有效期的药品", "变质的药品", "擅自添加防腐剂、辅料的药品", "", ""], "ABD",
     "变质的药品按假药论处，其余三项为劣药。", "《中华人民共和国药品管理法》第九十八条", "假药与劣药", 2),
    ("判断题", "非处方药可以不凭医师处方购买和使用，其包装上有“OTC”标识。", ["", "", "", "", "", ""], "正确",
     "非处方药分为甲类（红色 OTC）和乙类（绿色 OTC），均可自行选购，但应仔细阅读说明书。",
     "《处方药与非处方药分类管理办法（试行）》", "安全用药", 1),
)


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
