"""GIFT, Aiken and Moodle XML importers against Moodle's own test fixtures and hand-made cases."""

from pathlib import Path

import pytest

from quizapp.domain.importers import parse_bank

# The repository's parent holds shared/ (here /work/shared, in CI beside the clone).
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "moodle"


def fixture(relative):
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"Moodle fixture {path} is not available")
    return path.read_bytes()


def summary(result):
    return [(q.type, q.stem, q.options, q.answer) for q in result.questions]


def skipped(result):
    return [(s.line, s.kind) for s in result.skipped]


JUDGE = ("正确", "错误")


class TestGiftFixtures:
    def test_questions_gift(self):
        result = parse_bank(fixture("gift/questions.gift.txt"), "questions.gift.txt")
        assert result.ok
        assert summary(result) == [
            ("single", "What's between orange and green in the spectrum?", ("yellow", "red", "blue"), (0,)),
            ("multiple", "What's between orange and green in the spectrum?",
             ("yellow", "red", "off-beige", "blue"), (0, 2)),
            ("judge", '42 is the Absolute Answer to everything.";', JUDGE, (1,)),
            ("judge", "TSL is blablabla.", JUDGE, (0,)),
            ("judge", "TSL is blablabla.", JUDGE, (0,)),
        ]
        # general feedback (####) is the explanation; per-answer feedback is not
        assert result.questions[2].explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
        assert result.questions[0].explanation == ""
        assert skipped(result) == [(2, "问答题"), (5, "匹配题"), (31, "数值题"), (34, "简答填空题")]
        assert result.warnings == ["第 49 行 与第 46 行 是同一道题（题干和选项相同）"]

    def test_category_and_html(self):
        result = parse_bank(fixture("gift/questions_in_category.gift.txt"), "questions_in_category.gift.txt")
        assert result.ok
        assert summary(result) == [
            ("single", "Listen to this greeting: What language is being spoken?",
             ("English", "French", "German", "Spanish"), (1,)),
            ("judge", "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment.", JUDGE, (0,)),
        ]
        assert {q.category for q in result.questions} == {"Default for New Features"}
        assert skipped(result) == [(5, "匹配题"), (22, "简答填空题")]

    def test_examples_every_question_accounted_for(self):
        result = parse_bank(fixture("gift/examples.txt"), "examples.gift")
        assert result.ok
        assert len(result.questions) == 23 and len(result.skipped) == 20
        kinds = [s.kind for s in result.skipped]
        assert kinds.count("简答填空题") == 9 and kinds.count("数值题") == 8 and kinds.count("匹配题") == 3
        by_stem = {q.stem: q for q in result.questions}
        # Moodle's missing-word form: the braces become a blank in the stem
        grant = by_stem["Grant is （ ） in Grant's tomb."]
        assert grant.options == ("buried", "entombed", "living") and grant.answer == (1,)
        controls = by_stem["Which of the following is NOT a control character for the GIFT import format?"]
        assert controls.options == ("~", "=", "#", "{", "}", "\\") and controls.answer == (5,)
        assert by_stem["Which answer equals 5?"].options == ("= 2 + 2", "= 2 + 3", "= 2 + 4")
        two = by_stem["What two people are entombed in Grant's tomb?"]
        assert two.type == "multiple" and two.answer == (1, 2)
        assert "第 115 行: 部分得分的选项按错误选项导入（单选题只有一个正确答案）" in result.warnings

    def test_moodle_gift_export_named_txt_is_read_as_gift(self):
        result = parse_bank(fixture("gift/examples.txt"), "examples.txt")
        assert len(result.questions) == 23 and result.warnings[0].startswith("文件没有 ANSWER: 行")


class TestGiftSyntax:
    def parse(self, text):
        return parse_bank(text.encode(), "t.gift")

    def test_comments_title_escapes_and_newline_escape(self):
        result = self.parse("// 注释\n::题1::药品说明书中 \\{ \\} \\~ \\= \\# \\: 都是字面字符{=对的 ~错的\\n第二行}")
        q = result.questions[0]
        assert q.stem == "药品说明书中 { } ~ = # : 都是字面字符"
        assert q.options == ("对的", "错的 第二行")

    def test_chinese_question_with_feedback_and_metadata_comments(self):
        text = ("$CATEGORY: $course$/top/安全用药/儿童用药\n\n"
                "// 出处：《中华人民共和国药品管理法》\n// 难度：2\n// 标签：儿童, 退烧\n// 有效期至：2026-12-31\n"
                "儿童发热首选的退烧药是（ ）。{\n=对乙酰氨基酚 # 对\n~阿司匹林 # 儿童慎用\n####解析：阿司匹林可能引起瑞氏综合征。}")
        q = self.parse(text).questions[0]
        assert q.stem == "儿童发热首选的退烧药是（ ）。" and q.answer == (0,)
        assert q.explanation == "解析：阿司匹林可能引起瑞氏综合征。"
        assert (q.category, q.source, q.difficulty, q.tags) == ("儿童用药", "《中华人民共和国药品管理法》", 2, ("儿童", "退烧"))
        assert str(q.valid_until) == "2026-12-31"

    def test_html_and_markdown_markers(self):
        result = self.parse("[html]<p>服用&nbsp;<b>头孢</b>后<br>能否饮酒？</p>{FALSE}\n\n"
                            "[markdown]**处方药**须凭处方购买{TRUE}")
        assert [q.stem for q in result.questions] == ["服用 头孢后 能否饮酒？", "处方药须凭处方购买"]

    def test_unbalanced_braces_are_an_error(self):
        result = self.parse("第一题{=甲 ~乙\n\n第二题}")
        assert [str(e) for e in result.errors] == [
            "第 1 行: 大括号 { } 不配对（文字中的 { } 要写成 \\{ \\}）",
            "第 3 行: 大括号 { } 不配对（文字中的 { } 要写成 \\{ \\}）"]

    def test_description_and_essay_are_skipped_not_dropped(self):
        result = self.parse("以下是关于药品的题目。\n\n请谈谈合理用药。{}")
        assert result.questions == [] and skipped(result) == [(1, "说明文字"), (3, "问答题")]

    def test_multiple_without_positive_weight_is_an_error(self):
        result = self.parse("题{~%-50%甲 ~%-50%乙}")
        assert [str(e) for e in result.errors] == ["第 1 行 答案: 答案为空"]


class TestAiken:
    def test_fixture(self):
        result = parse_bank(fixture("aiken/questions.aiken.txt"), "questions.aiken.txt")
        assert result.ok and result.warnings == []
        assert summary(result) == [
            ("single", "The Moodle project was started by:",
             ("Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"), (1,)),
            ("single", 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:',
             ("True", "False"), (0,)),
        ]

    def test_errors_fixture(self):
        result = parse_bank(fixture("aiken/aiken_errors.txt"), "aiken_errors.txt")
        assert summary(result) == [
            ("single", "A good question", ("Correct", "Incorrect"), (0,)),
            ("single", "A second good question", ("Incorrect (No space)", "Correct (No space)"), (1,)),
        ]
        assert [str(e) for e in result.errors] == [
            "第 1 行 选项: 单选题至少需要 2 个选项，这里有 1 个",
            "第 5 行: 选项前面没有题干（上一题已经以 ANSWER: 结束）",
            "第 7 行: ANSWER: 行前面没有题目",
            "第 14 行 答案: 缺少 ANSWER: 行（第 18 行已开始下一题）",
        ]

    def test_chinese_marks_multiple_answer_and_missing_end(self):
        text = ("下列属于非处方药标识的是\nA、红底白字OTC\nB．绿底白字OTC\nC) 蓝底\nANSWER：AB\n\n"
                "没有答案的题\nA. 甲\nB. 乙\n")
        result = parse_bank(text.encode("gbk"), "aiken.TXT")
        assert summary(result) == [("multiple", "下列属于非处方药标识的是", ("红底白字OTC", "绿底白字OTC", "蓝底"), (0, 1))]
        assert [str(e) for e in result.errors] == ["第 7 行 答案: 缺少 ANSWER: 行（文件已结束）"]

    def test_answer_out_of_range(self):
        result = parse_bank("题目\nA. 甲\nB. 乙\nANSWER: D\n".encode(), "a.txt")
        assert [str(e) for e in result.errors] == ["第 1 行 答案: 'D' 不在选项中"]


class TestMoodleXml:
    def test_multichoice_with_embedded_files(self):
        result = parse_bank(fixture("xml/multichoice.xml"), "multichoice.xml")
        assert result.ok and result.skipped == []
        assert summary(result) == [("single", "Listen to this greeting: What language is being spoken?",
                                    ("English", "French", "German", "Danish"), (1,))]
        assert result.questions[0].category == "Multichoice"
        assert result.warnings == ["第 12 行: 已去掉嵌入的文件（bonjour.mp3、flag-uk.jpg、flag-france.jpg、"
                                   "flag-german.jpg、flag-denmark.jpg），题目只保留文字"]

    def test_truefalse_with_general_feedback(self):
        result = parse_bank(fixture("xml/truefalse.xml"), "truefalse.xml")
        assert summary(result) == [
            ("judge", "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Education.", JUDGE, (1,)),
            ("judge", "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment.", JUDGE, (0,)),
        ]
        assert result.questions[0].explanation == "For further information, see the documentation about Moodle."
        assert result.questions[1].explanation == "For further information, see the documentation about Moodle\n."
        assert {q.category for q in result.questions} == {"TrueFalse"}

    def test_nested_categories_and_skipped_essay(self):
        result = parse_bank(fixture("xml/nested_categories_with_questions.xml"), "nested.xml")
        assert [(q.stem, q.category, q.answer) for q in result.questions] == [
            ("Testing Iota Question", "Iota", (0,)), ("Testing Kappa Question", "Kappa", (0,)),
            ("Testing Lambda Question", "Lambda", (0,)), ("Testing Mu Question", "Mu", (0,))]
        assert [str(s) for s in result.skipped] == [
            "第 55 行: 跳过问答题（Moodle 题型 essay，本系统只支持单选、多选、判断题）"]

    def test_multi_answer_takes_positive_fractions(self):
        result = parse_bank(fixture("xml/error_invalid_grades.xml"), "grades.xml")
        assert summary(result) == [("multiple", "Select all prime numbers :", ("1", "2", "3", "4", "5"), (1, 2, 4))]

    def test_other_qtypes_are_skipped_with_their_line(self):
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
               '<question type="matching"><questiontext><text>x</text></questiontext></question>\n'
               '<question type="cloze"><questiontext><text>y</text></questiontext></question>\n'
               '<question type="ddwtos"/>\n<question type="shortanswer"/>\n<question type="description"/>\n</quiz>')
        result = parse_bank(xml.encode(), "q.xml")
        assert result.questions == []
        assert skipped(result) == [(3, "匹配题"), (4, "完形填空题"), (5, "拖放填词题"), (6, "简答填空题"), (7, "说明文字")]

    def test_chinese_single_with_tags_and_plain_text(self):
        xml = """<quiz><question type="multichoice">
          <questiontext format="plain_text"><text>含 &lt;b&gt; 的题干</text></questiontext>
          <generalfeedback format="html"><text><![CDATA[<p>见&ldquo;说明书&rdquo;</p>]]></text></generalfeedback>
          <single>true</single>
          <answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>
          <tags><tag><text>儿童</text></tag><tag><text>用药</text></tag></tags>
        </question></quiz>"""
        q = parse_bank(xml.encode(), "q.xml").questions[0]
        assert (q.stem, q.explanation, q.tags, q.answer) == ("含 <b> 的题干", "见“说明书”", ("儿童", "用药"), (0,))

    def test_bad_fraction_and_bad_truefalse(self):
        xml = """<quiz>
        <question type="multichoice"><questiontext><text>a</text></questiontext>
          <answer fraction="x"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer></question>
        <question type="truefalse"><questiontext><text>b</text></questiontext>
          <answer fraction="0"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>
        </quiz>"""
        result = parse_bank(xml.encode(), "q.xml")
        assert [str(e) for e in result.errors] == ["第 2 行 答案: fraction 'x' 不是数字", "第 4 行 答案: 答案为空"]

    def test_not_moodle_xml(self):
        result = parse_bank(b"<html><body/></html>", "page.xml")
        assert [str(e) for e in result.errors] == ["第 1 行: 不是 Moodle XML 题库（根元素应为 <quiz>，这里是 <html>）"]

    def test_malformed_xml_reports_line(self):
        result = parse_bank(b"<quiz>\n<question type='truefalse'>\n</quiz>", "bad.xml")
        assert len(result.errors) == 1 and result.errors[0].line == 3
        assert result.errors[0].message.startswith("XML 格式错误")

    def test_billion_laughs_is_refused(self):
        lol = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
               + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
                         for i in range(1, 10))
               + ']>\n<quiz><question type="truefalse"><questiontext><text>&lol9;</text></questiontext>'
                 '</question></quiz>')
        result = parse_bank(lol.encode(), "lol.xml")
        assert result.questions == [] and len(result.errors) == 1
        assert "出于安全原因拒绝导入" in result.errors[0].message

    @pytest.mark.parametrize("payload", [
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<quiz><question type="truefalse"><questiontext><text>&xxe;</text></questiontext></question></quiz>',
        '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://example.invalid/evil.dtd">\n<quiz/>',
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY % p SYSTEM "http://example.invalid/x">%p;]>\n<quiz/>',
    ])
    def test_external_entities_are_refused(self, payload):
        result = parse_bank(payload.encode(), "xxe.xml")
        assert result.questions == [] and len(result.errors) == 1
        assert "出于安全原因拒绝导入" in result.errors[0].message
        assert "root:" not in str(result)


def test_gift_question_right_under_category_line_is_kept():
    result = parse_bank("// 切换分类\n$CATEGORY: 安全用药\n抗生素可以预防感冒。{F}\n".encode(), "c.gift")
    assert [(q.stem, q.category, q.answer, q.type) for q in result.questions] == [
        ("抗生素可以预防感冒。", "安全用药", (1,), "judge")]
