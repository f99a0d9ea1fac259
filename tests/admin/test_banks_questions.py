"""The bank list, browsing, viewing, editing, retiring and reviewing questions, exports; all audited."""

from __future__ import annotations

import io
import json
from datetime import date

from openpyxl import load_workbook

from quizapp.domain.importers import parse_bank
from quizapp.extensions import db
from quizapp.models import Bank, Question
from tests.admin.banks_support import audit_rows, load_sample, stored, text_of
from tests.conftest import sample_bank


def edit_data(question: dict, **changes) -> dict:
    """The edit form as posted for a stored question, with changes."""
    options = question["options"] if question["type"] != "judge" else []
    data = {"type": question["type"], "stem": question["stem"], "answer": "".join("ABCDEF"[i] for i in question["answer"]),
            "explanation": question["explanation"], "source": "《中华人民共和国药品管理法》", "category": question["category"],
            "difficulty": "", "tags": "", "valid_until": ""}
    if question["type"] == "judge":
        data["answer"] = "正确" if question["answer"] == [0] else "错误"
    data.update({f"options-{i}": text for i, text in enumerate(options)})
    data.update(changes)
    return data


def test_bank_list_shows_counts_review_retired_and_last_import(app, console, clock):
    load_sample(app, now=clock.now)
    load_sample(app, "safe-medication", now=clock.now, singles=2, multiples=1, judges=0)
    client = console("organizer")
    first = stored(app, "drug-law")[0]["id"]
    client.post(f"/admin/banks/drug-law/q/{first}/retire", data={"r-confirm": "y"})
    client.post("/admin/banks/drug-law/review", data={"ids": [str(first), str(first + 1)]})
    page = client.get("/admin/banks")
    row = text_of(page).split("drug-law", 1)[1].split("safe-medication", 1)[0]
    # total, 单选, 多选, 判断, categories, 待审核, 已审核, 已停用, last import (Asia/Shanghai)
    assert "24 12 6 6 法规 12 用药 12 22 2 1 2026-11-20 10:00" in row, row
    assert 'href="/admin/banks/drug-law/export.gift"' in page.get_data(as_text=True)


def test_browse_searches_filters_and_pages(app, console):
    data = sample_bank(singles=60, multiples=6, judges=6)
    data["questions"][0]["difficulty"] = 3
    with app.app_context():
        from quizapp.services.banks import import_bank_bytes

        import_bank_bytes(json.dumps(data).encode(), "drug-law.json")
    client = console("organizer")
    first_page = text_of(client.get("/admin/banks/drug-law"))
    assert "共 72 题，第 1 / 2 页" in first_page and "drug-law 单选题 49" in first_page
    assert "drug-law 单选题 50" not in first_page
    second = text_of(client.get("/admin/banks/drug-law?page=2"))
    assert "drug-law 单选题 50" in second and "drug-law 判断题 5" in second
    assert "共 6 题" in text_of(client.get("/admin/banks/drug-law?type=judge"))
    assert "共 12 题" in text_of(client.get("/admin/banks/drug-law?category=用药"))
    assert "共 1 题" in text_of(client.get("/admin/banks/drug-law?q=单选题 59"))
    assert "共 1 题" in text_of(client.get("/admin/banks/drug-law?difficulty=3"))
    assert "共 0 题" in text_of(client.get("/admin/banks/drug-law?review=reviewed"))
    assert "共 0 题" in text_of(client.get("/admin/banks/drug-law?retired=yes"))
    assert "共 0 题" in text_of(client.get("/admin/banks/drug-law?q=%25"))  # % is searched for, not a wildcard
    assert client.get("/admin/banks/no-such-bank").status_code == 404


def test_question_page_shows_options_answer_explanation_and_source(app, console):
    load_sample(app)
    question = stored(app)[1]
    page = text_of(console("organizer").get(f"/admin/banks/drug-law/q/{question['id']}"))
    assert "drug-law 单选题 1" in page and "A 甲1" in page and "B 乙1 正确答案" in page
    assert "解析 1" in page and "《中华人民共和国药品管理法》" in page and "待审核" in page
    assert console("organizer").get(f"/admin/banks/drug-law/q/{question['id'] + 999}").status_code == 404


def test_a_bad_edit_shows_each_error_beside_its_field_and_saves_nothing(app, console):
    load_sample(app)
    question = stored(app)[0]
    client = console("organizer")
    response = client.post(f"/admin/banks/drug-law/q/{question['id']}",
                           data=edit_data(question, stem="", answer="Z", difficulty="9", **{"options-1": ""}))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="stem-error">题干为空</p>' in body
    assert '<p class="error" id="options-1-error">选项为空，但后面还有选项</p>' in body
    assert '<p class="error" id="difficulty-error">' in body
    assert stored(app)[0] == question and audit_rows(app, "question_edit") == []
    twin = stored(app)[1]["stem"]
    clash = client.post(f"/admin/banks/drug-law/q/{question['id']}", data=edit_data(question, stem=twin))
    assert clash.status_code == 422 and "已有相同题干" in text_of(clash)


def test_an_edit_of_content_puts_the_question_back_to_pending(app, console, clock):
    load_sample(app)
    question = stored(app)[0]
    client = console("organizer", username="editor")
    client.post("/admin/banks/drug-law/review", data={"ids": str(question["id"])})
    assert stored(app)[0]["review"] == "reviewed" and stored(app)[0]["reviewed_by"] == "editor"
    same = client.post(f"/admin/banks/drug-law/q/{question['id']}", data=edit_data(question, category="法规"))
    assert same.status_code == 302 and stored(app)[0]["review"] == "reviewed"  # nothing changed
    filed = client.post(f"/admin/banks/drug-law/q/{question['id']}", data=edit_data(question, category="新分类"))
    assert filed.status_code == 302 and stored(app)[0]["review"] == "reviewed"  # filing is not content
    edited = client.post(f"/admin/banks/drug-law/q/{question['id']}",
                         data=edit_data(question, category="新分类", answer="C", explanation="新的解析"))
    assert edited.status_code == 302
    after = stored(app)[0]
    assert after["answer"] == [2] and after["explanation"] == "新的解析"
    assert after["review"] == "pending" and after["reviewed_by"] is None
    assert audit_rows(app, "question_edit") == [("question_edit", "editor", 1, f"drug-law#{question['id']}")] * 2


def test_reimport_with_update_keeps_the_review_of_identical_content_only(app, console, runner, tmp_path, clock):
    load_sample(app)
    client = console("organizer")
    ids = [q["id"] for q in stored(app)[:2]]
    client.post("/admin/banks/drug-law/review", data={"ids": [str(i) for i in ids]})
    data = sample_bank()
    data["questions"][1]["explanation"] = "法规修订后的解析"
    path = tmp_path / "drug-law.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path), "--on-duplicate", "update"])
    assert result.exit_code == 0 and "更新 24 题（其中 23 题内容未变）" in result.output
    assert [q["review"] for q in stored(app)[:3]] == ["reviewed", "pending", "pending"]
    actor = audit_rows(app, "bank_import")[0][1]
    assert audit_rows(app, "bank_import") == [("bank_import", actor, 1, "drug-law")] and actor
    with app.app_context():
        assert db.session.execute(db.select(Bank.last_import_at)).scalar_one() == clock.now
    again = runner.invoke(args=["bank", "load-dir", str(tmp_path)])
    assert again.exit_code == 0 and stored(app)[0]["review"] == "reviewed"


def test_retire_and_restore_need_the_tick_and_are_audited(app, console, clock):
    load_sample(app)
    qid = stored(app)[0]["id"]
    client = console("organizer", username="organizer-wang")
    untick = client.post(f"/admin/banks/drug-law/q/{qid}/retire", data={})
    assert untick.status_code == 302 and stored(app)[0]["valid_until"] is None
    client.post(f"/admin/banks/drug-law/q/{qid}/retire", data={"r-confirm": "y"})
    assert stored(app)[0]["valid_until"] == date(2026, 11, 19)  # yesterday in Asia/Shanghai
    page = text_of(client.get(f"/admin/banks/drug-law/q/{qid}"))
    assert "已停用（有效期至 2026-11-19）" in page and "恢复（取消有效期）" in page
    assert "共 1 题" in text_of(client.get("/admin/banks/drug-law?retired=yes"))
    client.post(f"/admin/banks/drug-law/q/{qid}/restore", data={"r-confirm": "y"})
    assert stored(app)[0]["valid_until"] is None
    target = f"drug-law#{qid}"
    assert audit_rows(app, "question_retire", "question_restore") == [
        ("question_retire", "organizer-wang", 1, target), ("question_restore", "organizer-wang", 1, target)]


def test_review_selected_or_every_pending_question_of_the_page(app, console, clock):
    load_sample(app)
    ids = [q["id"] for q in stored(app)]
    client = console("organizer", username="reviewer")
    nothing = client.post("/admin/banks/drug-law/review", data={})
    assert nothing.status_code == 302 and "请先勾选" in text_of(client.get("/admin/banks/drug-law"))
    client.post("/admin/banks/drug-law/review", data={"ids": [str(ids[0]), str(ids[1])], "back": "/admin/banks"})
    with app.app_context():
        first = db.session.get(Question, ids[0])
        assert (first.review_status, first.reviewed_by, first.reviewed_at) == ("reviewed", "reviewer", clock.now)
    page = client.get("/admin/banks/drug-law?type=judge").get_data(as_text=True)
    assert "将本页 6 道待审核题全部标为已审核" in page
    judges = [str(q["id"]) for q in stored(app) if q["type"] == "judge"]
    done = client.post("/admin/banks/drug-law/review", data={"all_pending": "1", "page_ids": judges, "ids": []})
    assert done.status_code == 302
    assert sum(q["review"] == "reviewed" for q in stored(app)) == 8
    assert "已审核 审核人 reviewer" in text_of(client.get(f"/admin/banks/drug-law/q/{ids[0]}"))
    assert [row[2] for row in audit_rows(app, "question_review")] == [2, 6]


def test_exports_re_import_to_the_same_questions_and_are_audited(app, console):
    load_sample(app)
    client = console("organizer", username="exporter")
    for fmt in ("xlsx", "csv", "json", "gift"):
        response = client.get(f"/admin/banks/drug-law/export.{fmt}")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        again = parse_bank(response.data, f"drug-law.{fmt}")
        assert not again.errors and [q.stem for q in again.questions] == [q["stem"] for q in stored(app)]
    assert load_workbook(io.BytesIO(client.get("/admin/banks/drug-law/export.xlsx").data)).active["B1"].value == "题干"
    assert client.get("/admin/banks/drug-law/export.pdf").status_code == 404
    assert [row[:3] for row in audit_rows(app, "bank_export")] == [("bank_export", "exporter", 24)] * 5


def test_template_is_the_cli_template(app, console, runner, tmp_path):
    response = console("organizer").get("/admin/banks/template.xlsx")
    runner.invoke(args=["bank", "template", "-o", str(tmp_path / "t.xlsx")])
    ours = load_workbook(io.BytesIO(response.data))
    theirs = load_workbook(tmp_path / "t.xlsx")
    assert ours.sheetnames == theirs.sheetnames == ["题库", "说明"]
    assert [c.value for c in ours["题库"][1]] == [c.value for c in theirs["题库"][1]]
