"""Reading within limits: the question cap stops the read, wide rows cost nothing, and messages an organizer can act on."""

from __future__ import annotations

import io

import openpyxl
import pytest

from quizapp.domain.exporters import template_xlsx
from quizapp.domain.importers import parse_bank, xlsx_bank
from quizapp.domain.importers.table import TEMPLATE_HEADER
from quizapp.domain.questions import TooManyQuestions

HEADER = ",".join(TEMPLATE_HEADER)


def csv_rows(count: int, *, bad: bool = False) -> bytes:
    # A bad row has two errors (empty stem, unknown answer letter): it must still count once.
    row = "单选,,甲,乙,,,,,Z,,,," if bad else "单选,第{n}题是什么？,甲,乙,,,,,A,,,,"
    return "\n".join([HEADER, *(row.format(n=n) for n in range(count))]).encode("utf-8")


def test_the_question_cap_stops_at_the_first_row_over_it():
    with pytest.raises(TooManyQuestions) as refused:
        parse_bank(csv_rows(30), "big.csv", max_questions=5)
    # Row 1 is the header, rows 2–6 the five allowed questions: row 7 is the first one over.
    assert refused.value.line == 7
    assert "一次最多导入 5 题" in refused.value.message and "第 7 行" in refused.value.message


def test_error_rows_count_once_toward_the_cap():
    result = parse_bank(csv_rows(5, bad=True), "bad.csv", max_questions=5)
    assert len(result.errors) == 10 and result.questions == []  # five rows, two errors each, not refused


def test_the_cap_counts_json_questions_too():
    with pytest.raises(TooManyQuestions):
        parse_bank(b'[{"type":"judge","stem":"a","answer":"\\u5bf9"},{"type":"judge","stem":"b","answer":"\\u5bf9"}]',
                   "b.json", max_questions=1)


def wide_sheet() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(TEMPLATE_HEADER))
    for n in range(3):
        sheet.append(["判断", f"第{n}题：处方药须凭医师处方购买。", *[None] * 6, "对"])
        sheet.cell(sheet.max_row, 16000, "页边备注")  # a stray cell far to the right
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_row_with_a_far_right_cell_is_read_only_up_to_the_template_columns(monkeypatch):
    widths = []
    real = xlsx_bank.read_table

    def measuring(rows, result):
        def measured():
            for number, cells in rows:
                widths.append(len(cells))
                yield number, cells
        real(measured(), result)

    monkeypatch.setattr(xlsx_bank, "read_table", measuring)
    result = xlsx_bank.parse_xlsx(wide_sheet(), "wide.xlsx")
    assert len(result.questions) == 3 and result.errors == []
    # Without the column bound every row would be 16,000 cells wide, most of them empty.
    assert max(widths) <= xlsx_bank.READ_COLUMNS


def test_the_template_examples_left_in_a_file_are_named_by_row():
    result = parse_bank(template_xlsx(), "题库.xlsx")
    assert result.ok
    assert [w for w in result.warnings if "示例题" in w] == [
        f"第 {row} 行 是导入模板中的示例题，请确认是否要导入（不需要就删去这一行）" for row in (2, 3, 4)]


def test_a_moodle_xml_without_questions_is_an_error():
    result = parse_bank(b'<?xml version="1.0"?>\n<quiz>\n</quiz>\n', "empty.xml")
    assert [str(e) for e in result.errors] == ["第 1 行: Moodle XML 文件中没有题目（<quiz> 下没有 <question> 元素）"]


def test_opening_an_xlsx_does_not_scan_its_sheets_for_their_size(monkeypatch):
    # openpyxl looks for <dimension> on opening; without one it parses the whole sheet first (seconds
    # for 100,000 rows). The importer reads every row anyway, so that scan must not happen.
    from openpyxl.worksheet._reader import WorkSheetParser

    def scan(self):
        raise AssertionError("the whole sheet was parsed for its size")

    monkeypatch.setattr(WorkSheetParser, "parse_dimensions", scan)
    result = parse_bank(wide_sheet(), "wide.xlsx")
    assert len(result.questions) == 3 and result.errors == []
