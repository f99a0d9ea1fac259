"""The shared question model: normalisation, answer parsing and the one validator."""

from datetime import date, datetime

import pytest

from quizapp.domain.questions import (
    JUDGE_OPTIONS,
    ImportResult,
    QuestionSpec,
    RowError,
    Skipped,
    build_question,
    normalize_text,
    normalize_type,
    parse_judge,
    parse_letters,
    stem_key,
)

FOUR = ["A 药", "B 药", "C 药", "D 药"]


def fields(**kw):
    base = {"type": "single", "stem": "下列哪种是处方药？", "options": FOUR, "answer": "B"}
    base.update(kw)
    return base


def messages(errors):
    return [str(e) for e in errors]


class TestNormalize:
    def test_collapses_whitespace_and_trims(self):
        assert normalize_text("  阿司匹林\t 肠溶片\u3000\u00a0100mg \n") == "阿司匹林 肠溶片 100mg"

    def test_keeps_chinese_full_width_punctuation(self):
        # NFKC would make these ASCII; the organizer's wording must survive.
        assert normalize_text("下列说法，正确的是？（ ）①") == "下列说法，正确的是？（ ）①"

    def test_multiline_keeps_line_breaks(self):
        assert normalize_text(" 第一行 \r\n\r\n\r\n  第二行  ", multiline=True) == "第一行\n\n第二行"

    def test_none_and_invisible_characters(self):
        assert normalize_text(None) == ""
        assert normalize_text("\ufeff题\u200b干") == "题干"

    @pytest.mark.parametrize("raw,expected", [
        ("single", "single"), ("SINGLE", "single"), ("单选", "single"), ("单选题", "single"),
        ("单项选择题", "single"), ("多选", "multiple"), ("多选题", "multiple"), ("多项选择题", "multiple"),
        ("Multiple", "multiple"), ("判断", "judge"), ("判断题", "judge"), (" 判断 题 ", "judge"),
        ("judge", "judge"), ("填空题", None), ("", None), (None, None),
    ])
    def test_normalize_type(self, raw, expected):
        assert normalize_type(raw) == expected

    def test_stem_key_ignores_case_spacing_and_trailing_punctuation(self):
        assert stem_key("下列哪种是处方药？（  ）。") == stem_key("下列哪种 是处方药")
        assert stem_key("ABC Drug") == stem_key("abc drug.")
        assert stem_key("药品A") != stem_key("药品B")


class TestParseLetters:
    @pytest.mark.parametrize("raw,expected", [
        ("B", (1,)), ("ACD", (0, 2, 3)), ("A,C,D", (0, 2, 3)), ("A、C、D", (0, 2, 3)),
        ("a c d", (0, 2, 3)), ("ＡＣ", (0, 2)), ("DCA", (0, 2, 3)), ("A，C", (0, 2)), ("AA", (0,)),
        ("(B)", (1,)), ("B.", (1,)),
    ])
    def test_accepted_forms(self, raw, expected):
        assert parse_letters(raw, 4) == expected

    def test_letter_out_of_range(self):
        with pytest.raises(ValueError, match="'E' 不在选项中"):
            parse_letters("AE", 4)

    @pytest.mark.parametrize("raw", ["", "  ", None, "、"])
    def test_empty(self, raw):
        with pytest.raises(ValueError, match="答案为空"):
            parse_letters(raw, 4)

    def test_non_letter(self):
        with pytest.raises(ValueError, match="'1' 不是选项字母"):
            parse_letters("1", 4)


class TestParseJudge:
    @pytest.mark.parametrize("raw", ["对", "正确", "√", "✓", "是", "T", "t", "TRUE", "true", "Y", "1", 1,
                                     True, "A", "ａ", "正确。"])
    def test_true(self, raw):
        assert parse_judge(raw) is True

    @pytest.mark.parametrize("raw", ["错", "错误", "×", "✗", "否", "F", "False", "n", "0", 0, False, "B"])
    def test_false(self, raw):
        assert parse_judge(raw) is False

    @pytest.mark.parametrize("raw", ["", None, "也许", "C", 2])
    def test_unreadable(self, raw):
        assert parse_judge(raw) is None


class TestBuildQuestion:
    def test_single(self):
        spec, errors = build_question(fields(explanation="  见说明书 ", source="《药品管理法》",
                                             category="处方药", difficulty="2", tags="抗生素、儿童用药"), 5)
        assert errors == []
        assert spec == QuestionSpec(
            type="single", stem="下列哪种是处方药？", options=tuple(FOUR), answer=(1,),
            explanation="见说明书", source="《药品管理法》", category="处方药", difficulty=2,
            tags=("抗生素", "儿童用药"),
        )
        assert spec.answer_letters == "B"
        assert spec.answer_text == "B"

    def test_multiple_with_one_correct_answer_is_allowed(self):
        spec, errors = build_question(fields(type="多选题", answer="C"), 2)
        assert errors == [] and spec.type == "multiple" and spec.answer == (2,)

    def test_multiple(self):
        spec, _ = build_question(fields(type="多选", answer="A、C、D"), 2)
        assert spec.answer == (0, 2, 3) and spec.answer_letters == "ACD"

    def test_judge_needs_no_options(self):
        spec, errors = build_question({"type": "判断", "stem": "药品可以随意混用。", "answer": "×"}, 3)
        assert errors == []
        assert spec.options == JUDGE_OPTIONS and spec.answer == (1,) and spec.answer_text == "错误"

    def test_judge_letter_follows_given_options(self):
        spec, _ = build_question({"type": "判断", "stem": "题", "options": ["错误", "正确"], "answer": "B"}, 3)
        assert spec.answer == (0,)  # B is 正确 here

    def test_judge_options_are_replaced_by_canonical_ones(self):
        spec, _ = build_question({"type": "judge", "stem": "题", "options": ["对", "错"], "answer": "A"}, 3)
        assert spec.options == ("正确", "错误") and spec.answer == (0,)

    def test_blank_type_is_inferred(self):
        assert build_question(fields(type="", answer="AB"), 2)[0].type == "multiple"
        assert build_question(fields(type=None), 2)[0].type == "single"
        assert build_question({"stem": "是否正确", "answer": "对"}, 2)[0].type == "judge"
        assert build_question(fields(type=None, answer=["C"]), 2)[0].type == "single"
        assert build_question(fields(type=None, answer=["A", "C"]), 2)[0].answer == (0, 2)

    def test_answer_letter_not_among_options(self):
        spec, errors = build_question(fields(answer="E"), 17)
        assert spec is None
        assert messages(errors) == ["第 17 行 答案: 'E' 不在选项中"]

    def test_json_unit(self):
        _, errors = build_question(fields(answer="E"), 3, unit="题")
        assert messages(errors) == ["第 3 题 答案: 'E' 不在选项中"]

    def test_every_problem_is_reported(self):
        spec, errors = build_question({"type": "填空", "stem": " ", "answer": "A", "difficulty": 5,
                                       "valid_until": "明年"}, 9)
        assert spec is None
        assert [(e.line, e.column) for e in errors] == [(9, "题干"), (9, "题型"), (9, "难度"), (9, "有效期至")]
        assert "填空" in errors[1].message and "单选" in errors[1].message

    def test_too_few_options(self):
        _, errors = build_question(fields(options=["只有一个"], answer="A"), 4)
        assert messages(errors) == ["第 4 行 选项: 单选题至少需要 2 个选项，这里有 1 个"]

    def test_duplicate_options_after_normalisation(self):
        _, errors = build_question(fields(options=["阿莫西林", "布洛芬", " 阿莫西林 。", "头孢"]), 4)
        assert messages(errors) == ["第 4 行 选项C: 与选项A重复"]

    def test_gap_in_options(self):
        _, errors = build_question(fields(options=["甲", "", "丙", "", ""], answer="A"), 6)
        assert messages(errors) == ["第 6 行 选项B: 选项为空，但后面还有选项"]

    def test_trailing_blank_options_are_dropped(self):
        spec, _ = build_question(fields(options=["甲", "乙", "丙", None, "", " "]), 6)
        assert spec.options == ("甲", "乙", "丙")

    def test_single_with_two_answers(self):
        _, errors = build_question(fields(answer="AB"), 8)
        assert len(errors) == 1 and errors[0].column == "答案" and "单选题只能有一个答案" in errors[0].message

    @pytest.mark.parametrize("answer,message", [("", "答案为空"), (None, "答案为空"), ("A1", "'1' 不是选项字母")])
    def test_bad_choice_answer(self, answer, message):
        _, errors = build_question(fields(answer=answer), 8)
        assert [e.column for e in errors] == ["答案"] and message in errors[0].message

    def test_bad_judge_answer(self):
        _, errors = build_question({"type": "判断", "stem": "题", "answer": "也许"}, 8)
        assert messages(errors) == [
            "第 8 行 答案: '也许' 不是判断题答案（应为 对/错、正确/错误、√/×、是/否 或 T/F）"]
        _, errors = build_question({"type": "判断", "stem": "题", "answer": ""}, 8)
        assert messages(errors) == ["第 8 行 答案: 答案为空"]

    def test_answer_as_list(self):
        spec, _ = build_question(fields(type="multiple", answer=["A", "D"]), 1)
        assert spec.answer == (0, 3)

    @pytest.mark.parametrize("raw,expected", [(1, 1), (2.0, 2), ("3", 3), ("1.0", 1), ("难", 3), ("", None),
                                              (None, None)])
    def test_difficulty(self, raw, expected):
        spec, errors = build_question(fields(difficulty=raw), 1)
        assert errors == [] and spec.difficulty == expected

    @pytest.mark.parametrize("raw", [0, 4, 2.5, "高", True])
    def test_bad_difficulty(self, raw):
        _, errors = build_question(fields(difficulty=raw), 1)
        assert [e.column for e in errors] == ["难度"]

    @pytest.mark.parametrize("raw", ["2025-12-31", "2025/12/31", "2025年12月31日", date(2025, 12, 31),
                                     datetime(2025, 12, 31, 8, 0), "2025-12-31T00:00:00"])
    def test_valid_until(self, raw):
        assert build_question(fields(valid_until=raw), 1)[0].valid_until == date(2025, 12, 31)

    def test_tags_from_list_dedupe(self):
        assert build_question(fields(tags=["a", " b ", "a", ""]), 1)[0].tags == ("a", "b")


class TestResult:
    def test_row_error_without_column(self):
        assert str(RowError(3, "", "JSON 格式错误")) == "第 3 行: JSON 格式错误"

    def test_skipped_text(self):
        assert str(Skipped(12, "问答题", "应用不支持此题型")) == "第 12 行: 跳过问答题（应用不支持此题型）"

    def test_add_collects_and_warns_on_exact_duplicates(self):
        result = ImportResult()
        result.add(fields(), 2)
        result.add(fields(stem="下列哪种是处方药 （ ）"), 3)  # same question, other blank
        result.add(fields(options=["甲", "乙"]), 4)  # same stem, other options: not a duplicate
        result.add(fields(answer="Z"), 5)
        assert len(result.questions) == 3 and not result.ok
        assert result.warnings == ["第 3 行 与第 2 行 是同一道题（题干和选项相同）"]
        assert messages(result.errors) == ["第 5 行 答案: 'Z' 不在选项中"]
