"""The canonical JSON bank importer and the format registry."""

import json
from datetime import UTC, datetime

import pytest

from quizapp.domain.errors import DomainError
from quizapp.domain.importers import IMPORTERS, UnsupportedFormat, importer_for, parse_bank
from quizapp.domain.questions import QuestionSpec


def dump(doc):
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


BANK = {
    "bank": "drug-law", "title": "药品管理法律法规",
    "questions": [
        {"type": "single", "stem": "假药是指？", "options": ["甲", "乙", "丙", "丁"], "answer": "B",
         "explanation": "见第九十八条", "source": "《中华人民共和国药品管理法》", "category": "假药与劣药",
         "difficulty": 2},
        {"type": "多选题", "stem": "哪些属于劣药？", "options": ["甲", "乙", "丙"], "answer": "A、C"},
        {"type": "判断", "stem": "处方药可以在网上随意购买。", "answer": "错"},
    ],
}


def test_canonical_bank():
    result = parse_bank(dump(BANK), "drug-law.json")
    assert result.ok and result.warnings == [] and result.skipped == []
    assert (result.bank_name, result.bank_title) == ("drug-law", "药品管理法律法规")
    assert result.questions[0] == QuestionSpec(
        type="single", stem="假药是指？", options=("甲", "乙", "丙", "丁"), answer=(1,),
        explanation="见第九十八条", source="《中华人民共和国药品管理法》", category="假药与劣药", difficulty=2)
    assert [q.type for q in result.questions] == ["single", "multiple", "judge"]
    assert result.questions[1].answer == (0, 2)
    assert result.questions[2].options == ("正确", "错误") and result.questions[2].answer == (1,)


def test_bare_list_and_bom():
    data = b"\xef\xbb\xbf" + dump(BANK["questions"])
    result = parse_bank(data, "X.JSON")
    assert result.ok and len(result.questions) == 3 and result.bank_name is None


def test_options_as_letter_mapping():
    doc = [{"type": "single", "stem": "题", "options": {"B": "乙", "A": "甲"}, "answer": "A"}]
    assert parse_bank(dump(doc), "a.json").questions[0].options == ("甲", "乙")


def test_malformed_json_reports_its_line():
    result = parse_bank(b'{"questions": [\n {"type": "single",\n  "stem": }\n]}', "bad.json")
    assert len(result.errors) == 1 and result.questions == []
    assert result.errors[0].line == 3 and str(result.errors[0]).startswith("第 3 行: JSON 格式错误")


def test_not_utf8():
    result = parse_bank("[]".encode("utf-16"), "bad.json")
    assert not result.ok and "UTF-8" in result.errors[0].message


def test_question_errors_are_numbered_and_all_reported():
    doc = {"questions": [
        {"type": "single", "stem": "好题", "options": ["甲", "乙"], "answer": "A"},
        "不是对象",
        {"type": "single", "stem": "坏题", "options": ["甲", "乙"], "answer": "E"},
        {"type": "填空", "stem": "", "answer": "x"},
    ]}
    result = parse_bank(dump(doc), "b.json")
    assert [str(e) for e in result.errors] == [
        "第 2 题: 题目应为对象 {…}",
        "第 3 题 答案: 'E' 不在选项中",
        "第 4 题 题干: 题干为空",
        "第 4 题 题型: '填空' 不是可识别的题型（应为 单选、多选 或 判断）",
    ]
    assert [q.stem for q in result.questions] == ["好题"]


def test_unknown_keys_are_warnings_not_errors():
    doc = {"bank": "b", "version": 2, "questions": [
        {"type": "judge", "stem": "题", "answer": "对", "id": 7, "picture": "x.png"}]}
    result = parse_bank(dump(doc), "b.json")
    assert result.ok and len(result.questions) == 1
    assert result.warnings == ["未知字段 version 已忽略", "第 1 行: 未知字段 id, picture 已忽略"]


@pytest.mark.parametrize("doc", [{"bank": "x"}, {"questions": "none"}, "text", 3])
def test_wrong_shapes(doc):
    result = parse_bank(dump(doc), "w.json")
    assert not result.ok and result.questions == []


def test_registry_covers_every_contract_format():
    assert {".json", ".csv", ".xlsx", ".gift", ".txt", ".xml"} <= set(IMPORTERS)


def test_unsupported_extension_lists_supported_ones():
    with pytest.raises(UnsupportedFormat) as info:
        parse_bank(b"", "bank.docx")
    assert isinstance(info.value, DomainError) and info.value.code == "unsupported_format"
    assert ".docx" in info.value.message and ".xlsx" in info.value.message and ".gift" in info.value.message


def test_moodle_gift_txt_name_goes_to_gift():
    assert importer_for("questions.gift.txt") is IMPORTERS[".gift"]
    assert importer_for("plain.txt") is IMPORTERS[".txt"]
    assert importer_for("no_extension_here.v2.TXT") is IMPORTERS[".txt"]


def test_an_indented_file_names_the_line_each_question_starts_on():
    # A bank file as people edit it: every message, duplicates included, names an editor's line.
    text = """{
  "bank": "b",
  "questions": [
    {"type": "judge", "stem": "同一道题", "answer": "对"},
    {"type": "single", "stem": "坏题",
     "options": ["甲", "乙"], "answer": "E"},

    {"type": "judge", "stem": "同一道题", "answer": "对",
     "id": 3}
  ]
}
"""
    result = parse_bank(text.encode("utf-8"), "b.json")
    assert [str(e) for e in result.errors] == ["第 5 行 答案: 'E' 不在选项中"]
    assert result.warnings == ["第 8 行: 未知字段 id 已忽略", "第 8 行 与第 4 行 是同一道题（题干和选项相同）"]
    assert result.places == [(4, "行"), (8, "行")]


def test_minified_json_names_questions_by_their_number():
    result = parse_bank(dump([{"type": "judge", "stem": "一", "answer": "对"},
                              {"type": "judge", "stem": "二", "answer": "x1"}]), "b.json")
    assert [str(e) for e in result.errors] == ["第 2 题 答案: 'x1' 不是判断题答案（应为 对/错、正确/错误、√/×、是/否 或 T/F）"]


def test_review_metadata_is_read_both_or_neither():
    doc = {"questions": [
        {"type": "judge", "stem": "一", "answer": "对", "reviewed_by": "张药师", "reviewed_at": "2026-11-20"},
        {"type": "judge", "stem": "二", "answer": "对", "reviewed_by": "李药师",
         "reviewed_at": "2026-11-20T18:30:00+08:00"},
        {"type": "judge", "stem": "三", "answer": "对", "reviewed_by": "王药师"},
        {"type": "judge", "stem": "四", "answer": "对", "reviewed_at": "2026-11-20"},
        {"type": "judge", "stem": "五", "answer": "对", "reviewed_by": "赵", "reviewed_at": "昨天"},
    ]}
    result = parse_bank(dump(doc), "b.json")
    first, second = result.questions
    assert (first.reviewed_by, first.reviewed_at) == ("张药师", datetime(2026, 11, 20, tzinfo=UTC))
    assert second.reviewed_at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert [str(e) for e in result.errors] == [
        "第 3 题 审核时间: 审核人和审核时间须同时填写（未审核的题两项都留空）",
        "第 4 题 审核人: 审核人和审核时间须同时填写（未审核的题两项都留空）",
        "第 5 题 审核时间: '昨天' 不是日期（应写成 2024-12-31）",
    ]
