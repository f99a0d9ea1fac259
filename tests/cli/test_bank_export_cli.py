"""`flask bank export|template` and the import limits."""

from __future__ import annotations

import json

from tests.conftest import sample_bank


def test_bank_export_reimports_to_the_same_questions(app, runner, tmp_path):
    from quizapp.domain.importers import parse_bank

    source = tmp_path / "drug-law.json"
    source.write_text(json.dumps(sample_bank()), encoding="utf-8")
    assert runner.invoke(args=["bank", "import", str(source)]).exit_code == 0
    original = parse_bank(source.read_bytes(), source.name).questions
    for fmt, ext in (("xlsx", "xlsx"), ("csv", "csv"), ("json", "json"), ("gift", "gift")):
        target = tmp_path / f"out.{ext}"
        result = runner.invoke(args=["bank", "export", "drug-law", "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert parse_bank(target.read_bytes(), target.name).questions == original, fmt


def test_bank_export_of_unknown_bank_fails_with_reason(app, runner, tmp_path):
    result = runner.invoke(args=["bank", "export", "nope", "--format", "json", "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "题库不存在：nope" in result.output
    assert not (tmp_path / "x.json").exists()


def test_bank_template_has_one_example_per_type(runner, tmp_path):
    from quizapp.domain.importers import parse_bank

    target = tmp_path / "template.xlsx"
    assert runner.invoke(args=["bank", "template", "-o", str(target)]).exit_code == 0
    parsed = parse_bank(target.read_bytes(), target.name)
    assert parsed.errors == [] and sorted(q.type for q in parsed.questions) == ["judge", "multiple", "single"]


def test_import_refuses_more_rows_than_the_limit(app, runner, tmp_path):
    app.config["IMPORT_MAX_ROWS"] = 5
    source = tmp_path / "big.json"
    source.write_text(json.dumps(sample_bank()), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(source)])
    assert result.exit_code == 1 and "一次最多导入 5 题" in result.output


def test_import_refuses_a_file_over_the_size_limit(app, runner, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 100
    source = tmp_path / "big.json"
    source.write_text(json.dumps(sample_bank()), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(source)])
    assert result.exit_code == 1 and "文件过大" in result.output and "IMPORT_MAX_BYTES" in result.output


def test_dry_run_shows_what_would_be_imported_by_type_and_category(app, runner, tmp_path):
    source = tmp_path / "drug-law.json"
    source.write_text(json.dumps(sample_bank()), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(source), "--dry-run"])
    assert result.exit_code == 0
    assert "试运行" in result.output and "单选 12，多选 6，判断 6" in result.output
    assert "分类：法规 12，用药 12" in result.output
    assert runner.invoke(args=["bank", "list"]).output == ""  # nothing written


def test_import_title_option_sets_the_bank_title(app, runner, tmp_path):
    source = tmp_path / "antibiotics-2026.csv"
    source.write_text("题型,题干,答案\n判断,抗菌药物不能治疗普通感冒。,对\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(source), "--title", " 合理使用抗菌药物 "])
    assert result.exit_code == 0, result.stderr
    # Without --title a spreadsheet's bank would be titled by its file name.
    assert runner.invoke(args=["bank", "list"]).stdout == "antibiotics-2026\t1\t合理使用抗菌药物\n"


def test_a_file_without_questions_exits_1_with_a_reason(app, runner, tmp_path):
    source = tmp_path / "empty.xml"
    source.write_text('<?xml version="1.0"?>\n<quiz>\n</quiz>\n', encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(source)])
    assert result.exit_code == 1 and "没有题目" in result.stderr
    sheet = tmp_path / "header-only.csv"
    sheet.write_text("题型,题干,答案\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(sheet)])
    assert result.exit_code == 1 and "文件中没有找到题目" in result.stderr


def test_duplicates_within_a_sheet_and_against_the_bank_name_sheet_rows(app, runner, tmp_path):
    first = tmp_path / "b.csv"
    first.write_text("题型,题干,答案\n判断,甲题。,对\n判断,乙题。,对\n", encoding="utf-8")
    assert runner.invoke(args=["bank", "import", str(first)]).exit_code == 0
    again = tmp_path / "b2.csv"
    again.write_text("题型,题干,答案\n判断,丙题。,对\n判断,乙题。,对\n判断,丙题。,错\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(again), "--bank", "b"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "第 3 行 题干: 题库中已有相同题目（重复时可选择“跳过”或“更新”，命令行为 --on-duplicate skip 或 update）",
        "第 4 行 题干: 与第 2 行的题干重复",
    ]


def test_help_pages_are_in_chinese(runner):
    for args in (["bank", "--help"], ["bank", "import", "--help"], ["draw", "run", "--help"], ["qr", "channel", "--help"]):
        page = runner.invoke(args=args).stdout
        assert page.startswith("用法：") and "显示本帮助并退出" in page, args
        assert "Show this message" not in page and "Usage:" not in page and "Options:" not in page
    assert "导入题库文件" in runner.invoke(args=["bank", "--help"]).stdout


def test_a_title_too_long_for_the_bank_is_refused_in_one_line(app, runner, tmp_path):
    source = tmp_path / "b.json"
    source.write_text(json.dumps({"title": "题" * 201, "questions": [{"type": "judge", "stem": "甲。", "answer": "对"}]},
                                 ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(source)])
    assert result.exit_code == 1 and "题库标题过长" in result.stderr
    assert runner.invoke(args=["bank", "list"]).stdout == ""
