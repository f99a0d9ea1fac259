"""A contest's definition as JSON: download, `flask contest load` round trip, upload with errors by path,
the confirmation on upload, and the audit rows of the CLI."""

from __future__ import annotations

import io
import json

from quizapp.services.audit import default_actor
from tests.admin.contests_helpers import audit_actions, contest_row, dumps
from tests.conftest import Api, contest_definition


def upload(client, body: bytes, name: str = "contest.json", **extra):
    data = {"file": (io.BytesIO(body), name), **extra}
    return client.post("/admin/contests/upload", data=data, content_type="multipart/form-data")


def test_download_is_a_definition_that_contest_load_takes_back(console, contest, app, runner, tmp_path):
    client = console("staff")  # reading the definition needs no edit right
    response = client.get("/admin/contests/demo/definition.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="demo.json"'
    definition = json.loads(response.get_data(as_text=True))
    assert definition["starts_at"] == "2026-11-15T00:00:00+08:00" and definition["ends_at"] == "2026-12-15T23:59:59+08:00"
    assert definition["round"]["draw"][1] == {"bank": "drug-law", "type": "multiple", "count": 2, "points": 10,
                                              "partial": "proportional"}
    assert definition["round"]["reviewed_only"] is False and "consent_text" not in definition
    before = contest_row(app, "demo")

    changed = {**definition, "slug": "copy", "title": "复制的竞赛"}
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["contest", "load", str(path)])
    assert result.exit_code == 0, result.output
    copy = contest_row(app, "copy")
    assert {**copy, "title": before["title"]} == before  # every stored column survives the trip
    again = json.loads(client.get("/admin/contests/copy/definition.json").get_data(as_text=True))
    assert again == changed

    path.write_text(response.get_data(as_text=True), encoding="utf-8")
    assert runner.invoke(args=["contest", "load", str(path)]).exit_code == 0
    assert contest_row(app, "demo") == before  # loading the download changes nothing


def test_contest_load_is_audited_under_the_system_user(app, runner, tmp_path, contest):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(contest_definition("cli-made")), encoding="utf-8")
    assert runner.invoke(args=["contest", "load", str(path)]).exit_code == 0
    path.write_text(json.dumps(contest_definition("cli-made", title="改")), encoding="utf-8")
    assert runner.invoke(args=["contest", "load", str(path)]).exit_code == 0
    assert audit_actions(app)[-2:] == [("contest_create", default_actor(), "cli-made"),
                                       ("contest_update", default_actor(), "cli-made")]
    bad = contest_definition("cli-bad")
    bad["round"]["draw"][0]["count"] = 99
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(args=["contest", "load", str(path)])
    assert result.exit_code == 1 and "round.draw[0].count" in result.output and "99" in result.output
    assert len(audit_actions(app)) == 3  # nothing recorded for a refused load


def test_contest_load_warns_about_incomparable_changes_but_saves(app, runner, tmp_path, contest):
    api = Api(app.test_client(), "demo")
    api.register()
    api.start()
    path = tmp_path / "c.json"
    path.write_text(json.dumps(contest_definition(pass_score=45)), encoding="utf-8")
    result = runner.invoke(args=["contest", "load", str(path)])
    assert result.exit_code == 0 and "及格分：30 → 45" in result.output
    assert contest_row(app, "demo")["pass_score"] == 45


def test_upload_creates_then_updates(console, contest, app):
    client = console("organizer", username="dora")
    created = upload(client, dumps(contest_definition("uploaded", title="上传的竞赛")))
    assert created.status_code == 302
    assert "已创建竞赛 uploaded" in client.get("/admin/contests").get_data(as_text=True)
    updated = upload(client, ("\ufeff" + json.dumps(contest_definition("uploaded", title="再次上传"))).encode())
    assert updated.status_code == 302
    assert contest_row(app, "uploaded")["title"] == "再次上传"
    assert audit_actions(app)[-2:] == [("contest_create", "dora", "uploaded"), ("contest_update", "dora", "uploaded")]


def test_upload_lists_every_error_with_its_path(console, contest, app):
    client = console("organizer")
    definition = contest_definition("bad-upload", colour="red")
    definition["round"]["draw"][1]["count"] = "两道"
    definition["prizes"][0]["tier"] = 0
    response = upload(client, dumps(definition))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for path, reason in [("colour", "未知字段"), ("round.draw[1].count", "必须是整数"), ("prizes[0].tier", "不能小于 1")]:
        assert f"<code>{path}</code>：{reason}" in html, path
    assert "3 处问题" in html
    assert contest_row(app, "bad-upload") is None


def test_upload_names_a_short_bank_and_a_broken_file(console, contest, app):
    client = console("organizer")
    definition = contest_definition("short")
    definition["round"]["draw"][2]["count"] = 40
    html = upload(client, dumps(definition)).get_data(as_text=True)
    assert "<code>round.draw[2].count</code>" in html and "需要 40 道，可用 6 道" in html
    broken = upload(client, b'{"slug": "x", ', "broken.json")
    assert broken.status_code == 422 and "broken.json 不是有效的 UTF-8 JSON" in broken.get_data(as_text=True)
    listed = upload(client, b"[1, 2]", "list.json")
    assert "list.json 应是一个 JSON 对象" in listed.get_data(as_text=True)
    empty = client.post("/admin/contests/upload", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "请选择要上传的 JSON 文件" in empty.get_data(as_text=True)
    assert contest_row(app, "short") is None and contest_row(app, "x") is None


def test_upload_of_an_incomparable_change_waits_for_the_tick(console, contest, app):
    api = Api(app.test_client(), "demo")
    api.register()
    api.start()
    client = console("organizer")
    changed = contest_definition()
    changed["round"]["draw"][1]["partial"] = "none"
    warned = upload(client, dumps(changed), "demo.json")
    assert warned.status_code == 409
    html = warned.get_data(as_text=True)
    assert "多选题计分方式：按比例给分 → 全对才得分" in html and 'name="confirm_incomparable"' in html
    assert contest_row(app, "demo")["draw_rules"][1]["partial"] == "proportional"
    # The confirmation posts the same text again, with the tick.
    assert client.post("/admin/contests/upload", data={"definition": json.dumps(changed), "filename": "demo.json"},
                       content_type="multipart/form-data").status_code == 409
    confirmed = client.post("/admin/contests/upload", content_type="multipart/form-data",
                            data={"definition": json.dumps(changed), "filename": "demo.json",
                                  "confirm_incomparable": "y"})
    assert confirmed.status_code == 302
    assert contest_row(app, "demo")["draw_rules"][1]["partial"] == "none"


def test_reviewed_only_round_trips_through_the_definition(console, contest, app, runner, tmp_path):
    from tests.admin.contests_helpers import mark_reviewed

    mark_reviewed(app, [f"drug-law 单选题 {i}" for i in range(4)] + [f"drug-law 多选题 {i}" for i in range(2)]
                  + [f"drug-law 判断题 {i}" for i in range(2)])
    definition = contest_definition()
    definition["round"]["reviewed_only"] = True
    path = tmp_path / "r.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    assert runner.invoke(args=["contest", "load", str(path)]).exit_code == 0
    client = console("organizer")
    downloaded = json.loads(client.get("/admin/contests/demo/definition.json").get_data(as_text=True))
    assert downloaded["round"]["reviewed_only"] is True
    definition["round"]["reviewed_only"] = "yes"
    html = upload(client, dumps(definition)).get_data(as_text=True)
    assert "<code>round.reviewed_only</code>：必须是 true 或 false" in html
