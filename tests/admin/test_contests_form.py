"""Creating and editing a contest through the console form: every field, errors beside their fields,
live pool counts, reviewed_only, and the confirmation for changes that make scores incomparable."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from quizapp.domain.consent import DEFAULT_CONSENT_TEXT
from tests.admin.contests_helpers import audit_actions, contest_row, field_error, mark_reviewed, page_form
from tests.conftest import Api


def new_contest_form(client, **values) -> dict:
    """The new-contest page's form filled in with a valid two-rule contest, plus `values`."""
    form = page_form(client, "/admin/contests/new")
    form.update({
        "slug": ["spring"], "title": ["春季药品安全竞赛"], "starts_at": ["2026-11-16T08:00"],
        "ends_at": ["2026-12-15T23:59:59"], "timezone": ["Asia/Shanghai"], "regions": ["呼和浩特市\r\n包头市\r\n"],
        "description": ["说明文字"], "time_limit_seconds": ["900"], "attempts_per_day": ["2"], "max_attempts": ["10"],
        "pass_score": ["40"], "grace_seconds": ["8"], "min_seconds_per_question": ["3"], "max_phones_per_client": ["0"],
        "draw-0-bank": ["drug-law"], "draw-0-type": ["single"], "draw-0-count": ["6"], "draw-0-points": ["5"],
        "draw-1-bank": ["drug-law"], "draw-1-type": ["multiple"], "draw-1-category": ["用药"],
        "draw-1-count": ["3"], "draw-1-points": ["10"], "draw-1-partial": ["proportional"],
        "prizes-0-tier": ["1"], "prizes-0-name": ["一等奖"], "prizes-0-count": ["5"],
    })
    form.update({key: [value] if isinstance(value, str) else value for key, value in values.items()})
    return form


def test_create_through_the_form_saves_every_field_and_is_audited(console, contest, app):
    client = console("organizer", username="alice")
    page = client.get("/admin/contests/new").get_data(as_text=True)
    assert DEFAULT_CONSENT_TEXT[:20] in page  # the default notice is shown as the hint
    assert page.count("data-rule-row") == 3  # blank rows to fill in without JavaScript
    response = client.post("/admin/contests/new", data=new_contest_form(client))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "已创建竞赛 spring" in client.get(response.headers["Location"]).get_data(as_text=True)
    row = contest_row(app, "spring")
    assert row["title"] == "春季药品安全竞赛" and row["regions"] == ["呼和浩特市", "包头市"]
    assert row["starts_at"] == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai
    assert row["ends_at"] == datetime(2026, 12, 15, 15, 59, 59, tzinfo=UTC)
    assert row["time_limit_seconds"] == 900 and row["pass_score"] == 40
    assert row["draw_rules"] == [
        {"banks": ["drug-law"], "type": "single", "count": 6, "points": 5, "partial": "none"},
        {"banks": ["drug-law"], "type": "multiple", "count": 3, "points": 10, "partial": "proportional",
         "category": "用药"}]
    assert row["prizes"] == [{"tier": 1, "name": "一等奖", "count": 5}]
    assert row["flags"]["min_seconds_per_question"] == 3 and row["flags"]["max_phones_per_client"] == 0
    assert row["consent_text"] == DEFAULT_CONSENT_TEXT and row["reviewed_only"] is False
    assert audit_actions(app)[-1] == ("contest_create", "alice", "spring")


def test_a_slug_in_use_is_refused_beside_the_slug(console, contest, app):
    client = console("organizer")
    response = client.post("/admin/contests/new", data=new_contest_form(client, slug="demo"))
    assert response.status_code == 422
    assert "已被使用" in field_error(response.get_data(as_text=True), "slug")
    assert contest_row(app, "demo")["title"] == "测试竞赛"


@pytest.mark.parametrize("values, field_id, words", [
    ({"draw-1-count": "99"}, "draw-1-count", ["需要 99 道", "可用 6 道"]),
    ({"draw-0-count": "abc"}, "draw-0-count", ["必须是整数"]),
    ({"draw-0-points": "0"}, "draw-0-points", ["大于 0"]),
    ({"draw-0-partial": "proportional"}, "draw-0-partial", ["只有多选题"]),
    ({"draw-0-bank": "no-such-bank"}, "draw-0-bank", ["题库不存在", "no-such-bank"]),
    ({"starts_at": "2026-02-30T08:00"}, "starts_at", ["不是有效的日期时间", "2026-02-30"]),
    ({"ends_at": "2026-11-01T00:00"}, "ends_at", ["结束时间必须晚于开始时间"]),
    ({"timezone": "Mars/Base"}, "timezone", ["未知时区"]),
    ({"pass_score": "500"}, "pass_score", ["超过了满分 60"]),
    ({"regions": "包头市\n包头市"}, "regions", ["地区重复"]),
    ({"prizes-0-name": ""}, "prizes-0-name", ["必填"]),
    ({"title": ""}, "title", ["必填"]),
    ({"slug": "Bad Slug"}, "slug", ["小写字母"]),
    ({"attempts_per_day": "0"}, "attempts_per_day", ["不能小于 1"]),
], ids=["too-many", "not-a-number", "zero-points", "partial-single", "unknown-bank", "bad-date", "ends-first",
        "bad-zone", "pass-over-max", "repeated-region", "prize-name", "title", "slug", "per-day"])
def test_each_error_is_shown_beside_its_field(console, contest, app, values, field_id, words):
    client = console("organizer")
    response = client.post("/admin/contests/new", data=new_contest_form(client, **values))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(html, field_id)
    assert all(word in error for word in words), (field_id, error)
    assert f'id="{field_id}"' in html.split(f'id="{field_id}-error"')[0][-2000:]  # the input it belongs to
    assert contest_row(app, "spring") is None
    # What was typed is shown again, not lost.
    assert "春季药品安全竞赛" in html or values.get("title") == ""


def test_errors_of_a_rule_after_a_blank_row_land_in_its_own_row(console, contest):
    client = console("organizer")
    form = new_contest_form(client)
    for key in ("bank", "type", "count", "points", "category", "partial"):  # row 1 moves to row 3; 1 and 2 blank
        form[f"draw-3-{key}"] = form.pop(f"draw-1-{key}")
    form["draw-3-count"] = ["99"]
    form["draw-2-count"], form["draw-2-type"] = [""], [""]
    html = client.post("/admin/contests/new", data=form).get_data(as_text=True)
    # Posted rows 0, 2 and 3 come back as rows 0–2: the rule asking for 99 is the third row, and
    # its error is there, not on the blank row between (rule 1 of the definition).
    assert re.search(r'<input[^>]*id="draw-2-count"[^>]*value="99"', html)
    assert "需要 99 道" in field_error(html, "draw-2-count")
    assert field_error(html, "draw-1-count") == ""


def test_more_blank_rows_without_saving(console, contest, app):
    client = console("organizer")
    form = new_contest_form(client, action="more_rows")
    html = client.post("/admin/contests/new", data=form).get_data(as_text=True)
    assert html.count("data-rule-row") == len([k for k in form if k.endswith("-count") and k.startswith("draw-")]) + 3
    assert contest_row(app, "spring") is None


def test_edit_shows_the_definition_and_saves_a_change(console, contest, app):
    client = console("organizer", username="bob")
    html = client.get("/admin/contests/demo/edit").get_data(as_text=True)
    assert 'value="2026-11-15T00:00:00"' in html and 'value="2026-12-15T23:59:59"' in html  # contest time zone
    assert "可抽 12 道" in html and "可抽 6 道" in html  # the server-side pool counts
    form = page_form(client, "/admin/contests/demo/edit")
    assert "slug" not in form  # the slug is fixed once created
    form.update({"title": ["改名"], "draw-2-remove": ["y"], "prizes-1-remove": ["y"]})
    response = client.post("/admin/contests/demo/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = contest_row(app, "demo")
    assert row["title"] == "改名" and [rule["type"] for rule in row["draw_rules"]] == ["single", "multiple"]
    assert row["prizes"] == [{"tier": 1, "name": "一等奖", "count": 1}]
    assert audit_actions(app)[-1] == ("contest_update", "bob", "demo")


def test_pool_json_counts_what_a_rule_can_draw(console, contest, app):
    client = console("organizer")
    base = "/admin/contests/pool.json?bank=drug-law"
    assert client.get(base + "&type=single").get_json() == {"available": 12}
    assert client.get(base + "&type=multiple&category=用药").get_json() == {"available": 6}
    assert client.get(base + "&type=multiple&category=法规").get_json() == {"available": 0}
    assert client.get(base + "&type=").get_json() == {"available": None}
    assert client.get("/admin/contests/pool.json?bank=nope&type=single").get_json() == {"available": 0}
    mark_reviewed(app, ["drug-law 单选题 0", "drug-law 单选题 1"])
    assert client.get(base + "&type=single&reviewed_only=1").get_json() == {"available": 2}
    assert client.get(base + "&type=single").get_json() == {"available": 12}


def test_reviewed_only_draws_only_reviewed_questions(console, contest, app):
    reviewed = [f"drug-law 单选题 {i}" for i in range(4)] + [f"drug-law 多选题 {i}" for i in range(2)] + [
        f"drug-law 判断题 {i}" for i in range(2)]
    client = console("organizer")
    form = page_form(client, "/admin/contests/demo/edit")
    form["reviewed_only"] = ["y"]
    response = client.post("/admin/contests/demo/edit", data=form)
    assert response.status_code == 422  # nothing is reviewed yet: the first rule cannot be filled
    html = response.get_data(as_text=True)
    assert "可用 0 道" in field_error(html, "draw-0-count") and "只计已审核" in field_error(html, "draw-0-count")
    assert "可抽 0 道" in html  # the live count follows the tick on the server too
    mark_reviewed(app, reviewed)
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    assert contest_row(app, "demo")["reviewed_only"] is True
    assert "可抽 4 道" in client.get("/admin/contests/demo/edit").get_data(as_text=True)
    api = Api(app.test_client(), "demo")
    for n in range(3):
        assert api.register(phone=f"1390000000{n}").status_code == 201
        stems = {q["stem"] for q in api.start().get_json()["questions"]}
        assert stems == set(reviewed)  # exactly the reviewed eight, every time


def test_a_paper_draws_from_every_question_without_reviewed_only(contest, app):
    api = Api(app.test_client(), "demo")
    seen = set()
    for n in range(6):
        assert api.register(phone=f"1390000001{n}").status_code == 201
        seen |= {q["stem"] for q in api.start().get_json()["questions"]}
    assert len(seen) > 8  # pending questions are drawn as well


def test_the_pool_cache_keeps_reviewed_and_all_apart(contest, app, clock):
    from quizapp.domain.timing import local_day
    from quizapp.services.contests import candidate_pools, draw_rules, get_contest

    mark_reviewed(app, ["drug-law 单选题 0"])
    with app.app_context():
        rules = draw_rules(get_contest("demo"))
        today = local_day(clock.now, "Asia/Shanghai")
        everything = candidate_pools(rules, today, ttl=60)
        reviewed = candidate_pools(rules, today, ttl=60, reviewed_only=True)
    assert [len(pool) for pool in everything] == [12, 6, 6]
    assert [len(pool) for pool in reviewed] == [1, 0, 0]


def answer_everything(app, phone: str = "13900000009") -> None:
    """A participant takes and hands in one attempt of demo."""
    api = Api(app.test_client(), "demo")
    assert api.register(phone=phone).status_code == 201
    attempt = api.start().get_json()
    assert api.client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={},
                           headers=api.headers()).status_code == 200


def test_once_attempts_exist_an_incomparable_change_needs_the_tick(console, contest, app):
    answer_everything(app)
    client = console("organizer", username="carol")
    html = client.get("/admin/contests/demo/edit").get_data(as_text=True)
    assert "已有 1 份答卷" in html and "保留原来的试卷" in html
    form = page_form(client, "/admin/contests/demo/edit")
    form.update({"draw-0-points": ["6"], "pass_score": ["35"]})
    warned = client.post("/admin/contests/demo/edit", data=form)
    assert warned.status_code == 409
    text = warned.get_data(as_text=True)
    assert "满分：50 → 54" in text and "及格分：30 → 35" in text and "每题分值" in text
    assert 'name="confirm_incomparable"' in text
    assert contest_row(app, "demo")["pass_score"] == 30  # not saved without the tick
    assert audit_actions(app, "contest_update") == []
    again = page_form(client, "/admin/contests/demo/edit")  # a fresh form, still unticked
    again.update({"draw-0-points": ["6"], "pass_score": ["35"]})
    assert client.post("/admin/contests/demo/edit", data=again).status_code == 409
    form["confirm_incomparable"] = ["y"]
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    row = contest_row(app, "demo")
    assert row["pass_score"] == 35 and row["draw_rules"][0]["points"] == 6
    assert audit_actions(app, "contest_update") == [("contest_update", "carol", "demo")]


def test_a_comparable_change_with_attempts_needs_no_tick(console, contest, app):
    answer_everything(app)
    client = console("organizer")
    form = page_form(client, "/admin/contests/demo/edit")
    form.update({"title": ["新名字"], "time_limit_seconds": ["900"], "draw-0-category": ["法规"]})
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    assert contest_row(app, "demo")["title"] == "新名字"


def test_a_custom_consent_text_is_kept_and_blank_means_the_default(console, contest, app):
    client = console("organizer")
    form = page_form(client, "/admin/contests/demo/edit")
    assert form["consent_text"] == [""]  # the default is not copied into the field
    form["consent_text"] = ["本次竞赛由某某局主办，信息保存 30 天。"]
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    assert contest_row(app, "demo")["consent_text"] == "本次竞赛由某某局主办，信息保存 30 天。"
    form = page_form(client, "/admin/contests/demo/edit")
    assert form["consent_text"] == ["本次竞赛由某某局主办，信息保存 30 天。"]
    form["consent_text"] = [""]
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    assert contest_row(app, "demo")["consent_text"] == DEFAULT_CONSENT_TEXT


def test_a_short_rule_is_named_even_while_another_field_is_wrong(console, contest):
    client = console("organizer")
    form = new_contest_form(client, **{"draw-0-count": "999", "draw-1-points": ""})
    html = client.post("/admin/contests/new", data=form).get_data(as_text=True)
    assert "需要 999 道，可用 12 道" in field_error(html, "draw-0-count")
    assert "必填" in field_error(html, "draw-1-points")


def test_the_audit_row_names_what_changed(console, contest, app):
    from quizapp.extensions import db
    from quizapp.models import AuditLog

    answer_everything(app)
    client = console("organizer")
    form = page_form(client, "/admin/contests/demo/edit")
    form.update({"title": ["新名字"], "pass_score": ["20"], "confirm_incomparable": ["y"]})
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).filter_by(action="contest_update")).scalar_one()
        assert entry.detail == {"fields": ["名称", "及格分"], "incomparable": ["及格分：30 → 20"]}
        assert entry.contest_id is not None and entry.rows == 1
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "修改竞赛" in log and "成绩不可比的修改 及格分：30 → 20" in log
