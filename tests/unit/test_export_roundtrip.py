"""Exporters: every format re-imports to the same questions, tricky text included."""

import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from quizapp.domain.exporters import EXPORTERS, EXTENSIONS, export_bank, template_xlsx
from quizapp.domain.importers import UnsupportedFormat, parse_bank
from quizapp.domain.importers.table import EXTRA_HEADER, TEMPLATE_HEADER
from quizapp.domain.questions import QuestionSpec, build_question

FORMATS = ("json", "csv", "xlsx", "gift")


def spec(**kw):
    fields = {"type": "single", "stem": "题干", "options": ["甲", "乙"], "answer": "A"}
    fields.update(kw)
    built, errors = build_question(fields, 1)
    assert errors == []
    return built


TRICKY = [
    spec(stem='=1+1 是公式吗？含 "引号", 逗号，{花括号} ~波浪 #井号 :冒号 \\反斜杠 ->箭头 %50%',
         options=["-5℃以下", "+5℃", "@home", "'引号开头", "%5 葡萄糖", "''两个引号", "=A1", "\\"],
         answer="H", explanation='第一行，含 "引号"\n第二行 #### 不是反馈\n\n第四行 {}~=',
         source="《药品管理法》第 98 条: 说明", category="儿童/用药", difficulty=3,
         tags=["儿童", "退热药"], valid_until=date(2026, 12, 31)),
    spec(type="multiple", stem="[html]<b>不是标签</b> 以及 (  ) 空格", options=["A 项", "B 项", "C 项"],
         answer="ABC", category="儿童/用药"),
    spec(type="multiple", stem="// 这不是注释", options=["只有", "一个", "正确"], answer="B"),
    spec(type="judge", stem="处方药可以在网上随意购买。", answer="错", explanation="须凭处方。"),
    spec(type="judge", stem="$CATEGORY: 也不是分类", answer="对", category="安全用药", difficulty=1),
    spec(stem="'", options=["+", "-"], answer="B", source="=cmd|' /C calc'!A0"),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_roundtrip_tricky_text(fmt):
    data = export_bank(TRICKY, fmt, "drug-law", "药品管理法律法规")
    result = parse_bank(data, "bank" + EXTENSIONS[fmt])
    assert result.errors == [] and result.skipped == []
    assert result.questions == TRICKY


@pytest.mark.parametrize("fmt", FORMATS)
def test_roundtrip_template_examples(fmt):
    questions = parse_bank(template_xlsx(), "t.xlsx").questions
    assert parse_bank(export_bank(questions, fmt), "x" + EXTENSIONS[fmt]).questions == questions


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_bank(fmt):
    result = parse_bank(export_bank([], fmt, "empty"), "e" + EXTENSIONS[fmt])
    assert result.questions == []


def test_json_is_canonical_and_readable():
    data = export_bank(TRICKY[3:4], "json", "drug-law", "药品管理法律法规")
    assert "处方药" in data.decode("utf-8")  # ensure_ascii=False
    assert json.loads(data) == {"bank": "drug-law", "title": "药品管理法律法规", "questions": [
        {"type": "judge", "stem": "处方药可以在网上随意购买。", "answer": "错误", "explanation": "须凭处方。",
         "source": "", "category": ""}]}
    result = parse_bank(data, "b.json")
    assert (result.bank_name, result.bank_title) == ("drug-law", "药品管理法律法规")


def test_csv_has_bom_template_header_and_formula_guard():
    data = export_bank(TRICKY[:1], "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # eight options widen the template; tags and dates add their columns at the end
    assert rows[0][:2] == ["题型", "题干"] and rows[0][2:10] == [f"选项{c}" for c in "ABCDEFGH"]
    assert rows[0][10:] == ["答案", "解析", "出处", "分类", "难度", "标签", "有效期至"]
    assert rows[1][1].startswith("'=1+1") and rows[1][2:5] == ["'-5℃以下", "'+5℃", "'@home"]
    assert rows[1][5] == "''引号开头" and rows[1][8] == "'=A1"


def test_csv_plain_bank_uses_exact_template_header():
    data = export_bank(TRICKY[3:4], "csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header) == TEMPLATE_HEADER


def test_xlsx_cells_are_text_never_formulas():
    book = openpyxl.load_workbook(io.BytesIO(export_bank(TRICKY, "xlsx")))
    assert book.sheetnames == ["题库", "说明"]
    sheet = book["题库"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    assert sheet["B2"].value.startswith("=1+1") and sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix
    assert sheet["C2"].value == "-5℃以下"


def test_template_xlsx_has_help_and_one_example_per_type():
    data = template_xlsx()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["题库", "说明"]
    # The 说明 sheet describes 标签 and 有效期至, so the header offers them too.
    assert tuple(c.value for c in book["题库"][1]) == (*TEMPLATE_HEADER, *EXTRA_HEADER)
    help_text = " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value)
    for column in ("题型", "题干", "选项A", "答案", "解析", "出处", "分类", "难度", "标签", "有效期至"):
        assert column in help_text
    result = parse_bank(data, "template.xlsx")
    assert result.ok and [q.type for q in result.questions] == ["single", "multiple", "judge"]
    assert result.questions[1].answer == (0, 1, 3)


def test_gift_output_is_moodle_shaped():
    text = export_bank([TRICKY[1], TRICKY[3]], "gift", "b").decode()
    assert "$CATEGORY: 儿童//用药" in text
    assert "~%33.33333%A 项" in text and "{\nFALSE\n####须凭处方。\n}" in text
    assert "[plain]" in text  # the stem starting with [html] is protected


def test_registry_and_unknown_format():
    assert set(EXPORTERS) == set(FORMATS)
    with pytest.raises(UnsupportedFormat, match="不支持导出为 docx"):
        export_bank([], "docx")


def test_spec_type_is_frozen():
    with pytest.raises(AttributeError):
        TRICKY[0].stem = "x"  # type: ignore[misc]
    assert isinstance(TRICKY[0], QuestionSpec)
