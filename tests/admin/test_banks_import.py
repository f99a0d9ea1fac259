"""Import in two steps: the upload imports nothing and shows a preview; 确认导入 imports the stored bytes."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest

from quizapp.domain.importers import parse_bank
from quizapp.extensions import db
from quizapp.models import Bank, ImportUpload
from tests.admin.banks_support import (
    MOODLE,
    audit_rows,
    bank_names,
    confirm,
    good_rows,
    load_sample,
    preview_url,
    stored,
    text_of,
    upload,
    upload_count,
    xlsx_bytes,
)
from tests.conftest import sample_bank

VALID_FILES = [("xml/nested_categories_with_questions.xml", {"judge": 4}, "跳过 第 55 行 [问答题]"),
               ("xml/multichoice.xml", {"single": 1}, None), ("xml/truefalse.xml", {"judge": 2}, None),
               ("gift/questions_in_category.gift.txt", {"single": 1, "judge": 1}, "跳过 第 5 行 [匹配题]"),
               ("aiken/questions.aiken.txt", {"single": 2}, None)]
LABELS = {"single": "单选", "multiple": "多选", "judge": "判断"}


@pytest.mark.parametrize(("name", "by_type", "skipped"), VALID_FILES)
def test_moodle_file_preview_writes_nothing_then_confirm_imports_it(app, console, clock, name, by_type, skipped):
    client = console("organizer", username="organizer-li")
    data = (MOODLE / name).read_bytes()
    url = preview_url(upload(client, data, (MOODLE / name).name))
    page = client.get(url)
    text = text_of(page)
    assert page.status_code == 200 and "确认导入" in text
    for kind, count in by_type.items():
        assert f"{count} {LABELS[kind]}" in text, text
    if skipped:
        assert skipped in text
    assert bank_names(app) == [] and audit_rows(app, "bank_import") == []  # the preview wrote nothing

    clock.advance(minutes=5)
    done = confirm(client, url)
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/banks")
    expected = parse_bank(data, (MOODLE / name).name).questions
    assert [(q["type"], q["stem"], q["options"], q["answer"]) for q in stored(app)] == \
        [(q.type, q.stem, list(q.options), list(q.answer)) for q in expected]
    bank = bank_names(app)[0]
    assert audit_rows(app, "bank_import") == [("bank_import", "organizer-li", len(expected), bank)]
    with app.app_context():
        assert db.session.execute(db.select(Bank.last_import_at)).scalar_one() == clock.now
    assert upload_count(app) == 0
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已导入" in listing and f'id="bank-{bank}"' in listing
    again = client.post(url, data={})
    assert again.status_code == 404 and "找不到这次上传" in text_of(again)


def test_errors_are_listed_exactly_as_the_cli_prints_them_and_nothing_is_offered(app, console, runner):
    path = MOODLE / "aiken/aiken_errors.txt"
    cli = runner.invoke(args=["bank", "import", str(path)])
    cli_errors = [line for line in cli.stderr.splitlines() if line.startswith("第 ")]
    assert cli.exit_code == 1 and len(cli_errors) == 4
    client = console("organizer")
    url = preview_url(upload(client, path.read_bytes(), path.name))
    page = client.get(url)
    body = page.get_data(as_text=True)
    for line in cli_errors:
        assert f"<li>{html.escape(line, quote=True)}</li>" in body, line
    assert "确认导入" not in body and "4 处错误" in text_of(page) and "下载错误表" in body
    forced = client.post(url, data={})  # a hand-made 确认导入 of an invalid file
    assert forced.status_code == 409 and "4 处错误" in text_of(forced)
    assert bank_names(app) == [] and audit_rows(app, "bank_import") == []


def test_duplicates_in_the_file_name_their_real_lines(app, console):
    client = console("organizer")
    rows = good_rows(3)
    rows.append(list(rows[0]))  # row 5 repeats row 2
    page = client.get(preview_url(upload(client, xlsx_bytes(rows), "重复.xlsx")))
    assert "第 5 行 题干: 与第 2 行的题干重复" in text_of(page)


def test_duplicate_policies_are_previewed_then_applied(app, console):
    load_sample(app)
    client = console("organizer")
    data = sample_bank()
    data["questions"][0]["explanation"] = "改写后的解析"
    data["questions"].append({"type": "judge", "stem": "新增的判断题", "answer": "对"})
    raw = json.dumps(data, ensure_ascii=False).encode()

    refused = text_of(client.get(preview_url(upload(client, raw, "drug-law.json"))))
    assert "第 1 题 题干: 题库中已有相同题目" in refused and "确认导入" not in refused
    skipped = text_of(client.get(preview_url(upload(client, raw, "drug-law.json", on_duplicate="skip"))))
    assert "新增 1 题" in skipped and "跳过重复 24 题" in skipped and "确认导入 1 题到题库 drug-law" in skipped
    url = preview_url(upload(client, raw, "drug-law.json", on_duplicate="update"))
    updated = text_of(client.get(url))
    assert "新增 1 题，更新 24 题（其中 23 题内容未变）" in updated and "确认导入 2 题到题库 drug-law" in updated
    assert confirm(client, url).status_code == 302
    rows = stored(app, "drug-law")
    assert len(rows) == 25 and rows[0]["explanation"] == "改写后的解析"


def test_confirm_refuses_when_the_bank_changed_since_the_preview(app, console):
    client = console("organizer")
    url = preview_url(upload(client, json.dumps(sample_bank()).encode(), "drug-law.json", on_duplicate="skip"))
    seen = re.search(r'name="expected" type="hidden" value="([^"]*)"', client.get(url).get_data(as_text=True))
    assert seen.group(1) == "24,0,0,0"  # 24 new questions
    load_sample(app)  # someone imports the same bank meanwhile: all 24 would now be skipped
    page = client.post(url, data={"expected": seen.group(1)})
    assert page.status_code == 409 and "预览之后有了变化" in text_of(page)
    assert "跳过重复 24 题" in text_of(page) and len(stored(app)) == 24  # the new preview is shown
    assert confirm(client, url).status_code == 302 and len(stored(app)) == 24


def test_another_accounts_upload_is_unknown(app, console):
    owner, other = console("organizer"), console("organizer")
    url = preview_url(upload(owner, xlsx_bytes(good_rows()), "表.xlsx"))
    for response in (other.get(url), other.post(url, data={}), other.get(url + "/errors.xlsx")):
        assert response.status_code == 404 and "找不到这次上传" in text_of(response)
    assert other.get("/admin/banks/import/not-an-id").status_code == 404
    assert bank_names(app) == [] and owner.get(url).status_code == 200


def test_an_expired_upload_is_refused_and_purged_by_the_next_upload(app, console, clock):
    client = console("organizer")
    url = preview_url(upload(client, xlsx_bytes(good_rows()), "表.xlsx"))
    for _ in range(3):  # 63 minutes, the session kept alive (it ends after 30 idle minutes)
        clock.advance(minutes=21)
        assert client.get("/admin/banks").status_code == 200
    for response in (client.get(url), client.post(url, data={})):
        assert response.status_code == 410 and "已过期" in text_of(response) and "60 分钟" in text_of(response)
    assert bank_names(app) == [] and upload_count(app) == 1
    preview_url(upload(client, xlsx_bytes(good_rows()), "表.xlsx"))
    with app.app_context():
        left = db.session.execute(db.select(ImportUpload)).scalars().all()
        assert len(left) == 1 and left[0].expires_at == clock.now + timedelta(minutes=60)
        assert left[0].id != url.rsplit("/", 1)[1] and len(left[0].id) == 32


def test_limits_are_messages_on_the_page(app, console):
    client = console("organizer")
    app.config["IMPORT_MAX_BYTES"] = 100
    too_big = upload(client, xlsx_bytes(good_rows()), "表.xlsx")
    assert too_big.status_code == 422 and "文件过大" in text_of(too_big) and "上限 0.0 MB" in text_of(too_big)
    app.config["IMPORT_MAX_BYTES"] = 10 * 1024 * 1024
    app.config["IMPORT_MAX_ROWS"] = 2
    rows = text_of(client.get(preview_url(upload(client, xlsx_bytes(good_rows(3)), "表.xlsx"))))
    assert "题目过多：一次最多导入 2 题，文件读到第 4 行时已超过上限" in rows and "确认导入" not in rows
    wrong = upload(client, b"hello", "notes.doc")
    assert wrong.status_code == 422 and "不支持的题库文件格式 .doc" in text_of(wrong)
    empty = upload(client, b"", "表.xlsx")
    assert empty.status_code == 422 and "请选择要导入的题库文件" in text_of(empty)
    assert upload_count(app) == 1 and bank_names(app) == []


def test_an_xlsx_zip_bomb_is_refused_in_the_preview(app, console):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (101 * 1024 * 1024))
    client = console("organizer")
    page = text_of(client.get(preview_url(upload(client, buffer.getvalue(), "炸弹.xlsx"))))
    assert "xlsx 文件解压后过大" in page and "确认导入" not in page


def test_a_body_over_max_content_length_gets_the_form_again(app, console):
    client = console("organizer")
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = upload(client, b"x" * 5000, "表.csv")
    assert response.status_code == 413
    text = text_of(response)
    assert "文件过大" in text and "上传并预览" in text and upload_count(app) == 0


def test_an_organizers_xlsx_with_a_title_row_and_bank_name(app, console):
    client = console("organizer")
    data = xlsx_bytes(good_rows(4), title_rows=[["2026年安全用药月竞赛题库"]])
    url = preview_url(upload(client, data, "题库.xlsx", bank="safe-medication"))
    page = text_of(client.get(url))
    assert "第 1 行在表头之前，已忽略" in page and "法规 4" in page and "确认导入 4 题到题库 safe-medication" in page
    assert confirm(client, url).status_code == 302
    assert bank_names(app) == ["safe-medication"] and [q["review"] for q in stored(app)] == ["pending"] * 4


def test_a_bank_name_that_cannot_be_a_page_is_refused(app, console):
    client = console("organizer")
    page = text_of(client.get(preview_url(upload(client, xlsx_bytes(good_rows()), "表.xlsx", bank="a/b"))))
    assert "不能含 /" in page and "确认导入" not in page
    too_long = upload(client, xlsx_bytes(good_rows()), "表.xlsx", bank="长" * 65)
    assert too_long.status_code == 422 and "最多 64 个字符" in text_of(too_long)
