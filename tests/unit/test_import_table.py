"""CSV and xlsx banks: encodings, header aliases, row numbers, cell quirks, zip-bomb refusal."""

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from quizapp.domain.importers import parse_bank
from quizapp.domain.importers.table import TEMPLATE_HEADER, escape_cell, header_key, unescape_cell
from quizapp.domain.importers.xlsx_bank import check_zip, parse_xlsx

ROWS = [
    ["单选题", "下列哪种药品是处方药？", "阿莫西林胶囊", "维生素C含片", "", "", "", "", "A",
     "抗菌药须凭处方", "《处方药与非处方药分类管理办法》", "处方药", "1"],
    ["判断", "药品可以随意混用。", "", "", "", "", "", "", "×", "", "", "", ""],
    ["多选题", "哪些情形按假药论处？", "成分不符", "以非药品冒充药品", "超过有效期", "", "", "", "A、B",
     "", "《中华人民共和国药品管理法》第九十八条", "假药与劣药", "2"],
]


def csv_bytes(rows, header=TEMPLATE_HEADER, encoding="utf-8", sep=","):
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=TEMPLATE_HEADER, sheets=("说明",)):
    book = openpyxl.Workbook()
    first = book.active
    first.title = sheets[0] if sheets else "题库"
    if sheets:
        first.append(["这里是填写说明，不是题目"])
        first = book.create_sheet("题库")
    first.append(list(header))
    for row in rows:
        first.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_three(result):
    assert result.ok, [str(e) for e in result.errors]
    single, judge, multiple = result.questions
    assert (single.type, single.stem, single.options, single.answer) == (
        "single", "下列哪种药品是处方药？", ("阿莫西林胶囊", "维生素C含片"), (0,))
    assert single.source == "《处方药与非处方药分类管理办法》" and single.difficulty == 1
    assert (judge.type, judge.answer) == ("judge", (1,))
    assert (multiple.type, multiple.answer, multiple.category) == ("multiple", (0, 1), "假药与劣药")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(encoding):
    result = parse_bank(csv_bytes(ROWS, encoding=encoding), "bank.csv")
    check_three(result)
    assert result.warnings == []  # in particular no "未识别的列 '\ufeff题型'"


def test_csv_tab_separated_unicode_text():
    check_three(parse_bank(csv_bytes(ROWS, encoding="utf-16", sep="\t"), "bank.csv"))


def test_csv_quoted_cells_and_row_numbers_follow_spreadsheet_rows():
    data = ('题型,题干,选项A,选项B,答案\r\n'
            '单选,"含逗号, 和 ""引号""\n还有换行",甲,乙,A\r\n'
            '\r\n'
            '单选,第二题,甲,乙,C\r\n').encode()
    result = parse_bank(data, "b.csv")
    assert result.questions[0].stem == '含逗号, 和 "引号" 还有换行'
    # header = row 1, the multi-line record is row 2, the blank row 3, so the bad one is row 4
    assert [str(e) for e in result.errors] == ["第 4 行 答案: 'C' 不在选项中"]


def test_header_aliases():
    header = ["类型", "题目内容", "A", "B选项", "选项Ｃ", "参考答案", "解释", "法规依据", "类别", "难易度", "标签", "有效期至"]
    row = ["多项选择题", "题", "甲", "乙", "丙", "BC", "因为", "某法", "分类一", "3", "a、b", "2026-01-31"]
    result = parse_bank(csv_bytes([row], header=header), "a.csv")
    assert result.ok and result.warnings == []
    q = result.questions[0]
    assert (q.type, q.options, q.answer, q.explanation, q.source, q.category, q.difficulty) == (
        "multiple", ("甲", "乙", "丙"), (1, 2), "因为", "某法", "分类一", 3)
    assert q.tags == ("a", "b") and q.valid_until == date(2026, 1, 31)


@pytest.mark.parametrize("title,key", [("题干*", "stem"), ("难度(1-3)", "difficulty"), ("答案（必填）", "answer"),
                                       (" 选项 a ", "option:0"), ("F", "option:5"), ("题 型", "type"),
                                       ("备注", None), ("", None)])
def test_header_key(title, key):
    assert header_key(title) == key


def test_missing_required_columns():
    result = parse_bank(csv_bytes([["单选", "x"]], header=["题型", "内容"]), "a.csv")
    assert len(result.errors) == 1 and result.errors[0].line == 1
    assert "缺少 题干、答案 列" in result.errors[0].message and "题型、内容" in result.errors[0].message


def test_unknown_columns_warn():
    result = parse_bank(csv_bytes([["题", "甲", "乙", "A", "x"]], header=["题干", "A", "B", "答案", "备注"]), "a.csv")
    assert result.ok and result.warnings == ["第 1 行: 未识别的列 '备注' 已忽略"]


def test_formula_guard_is_undone():
    rows = [["单选", "'=1+1 等于几", "'-5℃以下", "'+5℃", "''引号开头", "'普通", "", "", "A", "", "", "", ""]]
    q = parse_bank(csv_bytes(rows), "a.csv").questions[0]
    assert q.stem == "=1+1 等于几" and q.options == ("-5℃以下", "+5℃", "'引号开头", "'普通")


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@x", "'x", "''", "plain", "", "'"])
def test_escape_roundtrip(text):
    assert unescape_cell(escape_cell(text)) == text


def test_escape_guards_formulas():
    assert escape_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and escape_cell("安全") == "安全"


def test_undecodable_csv():
    result = parse_bank(b"\xff\xfe\xfd\x80\x81" * 3, "a.csv")
    assert not result.ok


def test_xlsx_skips_instruction_sheet_and_reads_rows():
    check_three(parse_bank(xlsx_bytes(ROWS), "bank.XLSX"))


def test_xlsx_numeric_cells_blank_rows_and_trailing_spaces():
    rows = [["单选 ", "题干一  ", 1.0, 2, None, None, None, None, "B ", None, None, None, 2.0],
            [None] * 13,
            ["判断", "题干二", None, None, None, None, None, None, True, None, None, None, None],
            ["单选", "题干三", "甲", "乙", None, None, None, None, "E", None, None, None, None]]
    result = parse_bank(xlsx_bytes(rows, sheets=()), "b.xlsx")
    first, second = result.questions
    assert (first.type, first.stem, first.options, first.answer, first.difficulty) == (
        "single", "题干一", ("1", "2"), (1,), 2)
    assert second.answer == (0,)
    assert [str(e) for e in result.errors] == ["第 5 行 答案: 'E' 不在选项中"]


def test_xlsx_date_cell_for_valid_until():
    header = ["题型", "题干", "答案", "有效期至"]
    result = parse_bank(xlsx_bytes([["判断", "题", "对", datetime(2026, 6, 30)]], header=header), "c.xlsx")
    assert result.questions[0].valid_until == date(2026, 6, 30)


def test_xlsx_only_instruction_sheet():
    book = openpyxl.Workbook()
    book.active.title = "说明"
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse_bank(buffer.getvalue(), "d.xlsx")
    assert not result.ok and "没有题目工作表" in result.errors[0].message


def test_not_an_xlsx():
    result = parse_bank(b"\xd0\xcf\x11\xe0 old xls", "old.xlsx")
    assert [str(e) for e in result.errors] == ["不是有效的 xlsx 文件；若是旧版 .xls，请在 Excel 中“另存为” .xlsx"]


def test_damaged_xlsx_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    result = parse_bank(buffer.getvalue(), "e.xlsx")
    assert not result.ok and "无法读取 xlsx" in result.errors[0].message


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100 * 1024  # tiny on disk
    result = parse_xlsx(data, "bomb.xlsx", max_uncompressed=1024 * 1024)
    assert result.questions == [] and len(result.errors) == 1
    assert "解压后过大" in result.errors[0].message and "上限 1 MB" in result.errors[0].message
    assert check_zip(data, 10 * 1024 * 1024) is None


def test_empty_file():
    result = parse_bank(b"", "e.csv")
    assert [str(e) for e in result.errors] == ["文件里没有内容"]


def test_title_row_above_header_is_skipped_with_a_warning():
    data = "2024年安全用药月知识竞赛题库,,,,\n题型,题干,选项A,选项B,答案\n单选,题,甲,乙,B\n".encode()
    result = parse_bank(data, "t.csv")
    assert result.ok and result.questions[0].answer == (1,)
    assert result.warnings == ["第 1 行在表头之前，已忽略"]


def test_no_header_within_first_rows():
    data = "\n".join(["单选,题,甲,乙,B"] * 6).encode()
    result = parse_bank(data, "t.csv")
    assert [e.line for e in result.errors] == [1]
    assert result.errors[0].message.startswith("找不到表头：缺少 题干、答案 列（这一行是：单选、题、甲、乙、B）")
