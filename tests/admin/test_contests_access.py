"""Who may open each page of the contests area, and CSRF on every POST."""

from __future__ import annotations

import io
import json

import pytest

from quizapp.extensions import db
from quizapp.models import Contest, PreviewAttempt
from tests.admin.conftest import csrf_token, make_account, sign_in
from tests.admin.contests_helpers import audit_actions, contest_row, dumps, page_form
from tests.conftest import contest_definition

READ_PAGES = ["/admin/contests", "/admin/contests/demo/definition.json"]
EDIT_PAGES = ["/admin/contests/new", "/admin/contests/demo/edit", "/admin/contests/upload",
              "/admin/contests/demo/preview", "/admin/contests/pool.json?bank=drug-law&type=single"]
POSTS = ["/admin/contests/new", "/admin/contests/demo/edit", "/admin/contests/upload", "/admin/contests/demo/preview"]


@pytest.mark.parametrize("role", ["admin", "organizer"])
def test_editors_open_every_page(console, contest, role):
    client = console(role)
    for path in READ_PAGES + EDIT_PAGES:
        assert client.get(path).status_code == 200, path
    listing = client.get("/admin/contests").get_data(as_text=True)
    for link in ("/admin/contests/demo/edit", "/admin/contests/demo/preview", "/admin/contests/demo/definition.json",
                 "/admin/contests/new"):
        assert f'href="{link}"' in listing, link


def test_staff_sees_the_list_read_only(console, contest):
    client = console("staff")
    listing = client.get("/admin/contests")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "测试竞赛" in html and "进行中" in html
    assert "/admin/contests/demo/edit" not in html and "/admin/contests/demo/preview" not in html
    assert "/admin/contests/new" not in html and "/admin/contests/upload" not in html
    assert client.get("/admin/contests/demo/definition.json").status_code == 200
    for path in EDIT_PAGES:
        assert client.get(path).status_code == 403, path
    for path in POSTS + ["/admin/contests/demo/preview/x/submit"]:
        assert client.post(path, data={"title": "改了"}).status_code == 403, path
    assert contest_row(client.application, "demo")["title"] == "测试竞赛"


def test_anonymous_is_sent_to_the_login_and_json_gets_401(client, contest):
    for path in ["/admin/contests", "/admin/contests/new", "/admin/contests/demo/edit", "/admin/contests/upload",
                 "/admin/contests/demo/preview"]:
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"], path
    for path in ["/admin/contests/demo/definition.json", "/admin/contests/pool.json?bank=drug-law&type=single"]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert client.post("/admin/contests/new", data={"slug": "x"}).status_code == 302


def test_the_nav_and_console_home_lead_to_the_contest_list(console, contest):
    client = console("organizer")
    home = client.get("/admin/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/admin/contests")
    assert 'href="/admin/contests" aria-current="page"' in client.get("/admin/contests").get_data(as_text=True)


def test_the_list_shows_status_window_and_counts(console, contest, app):
    with app.app_context():
        from quizapp.services.contests import load_contest
        load_contest(contest_definition("later", title="明年竞赛", starts_at="2027-11-15T00:00:00+08:00",
                                        ends_at="2027-12-15T23:59:59+08:00"), app.config["CLOCK"]())
        load_contest(contest_definition("past", title="去年竞赛", starts_at="2025-11-15T00:00:00+08:00",
                                        ends_at="2025-12-15T23:59:59+08:00"), app.config["CLOCK"]())
    client = console("organizer")
    api = client.application.test_client()
    for phone in ("13800000001", "13800000002"):
        registered = api.post("/api/v1/contests/demo/participants",
                              json={"name": "张三", "phone": phone, "region": "包头市", "consent": True})
        token = registered.get_json()["token"]
        started = api.post("/api/v1/contests/demo/attempts", headers={"Authorization": f"Bearer {token}"})
        if phone.endswith("1"):
            api.post(f"/api/v1/attempts/{started.get_json()['attempt_id']}/submit", json={},
                     headers={"Authorization": f"Bearer {token}"})
    html = client.get("/admin/contests").get_data(as_text=True)
    row = html.split('id="contest-demo"')[1].split("</tr>")[0]
    assert "进行中" in row and "2026-11-15 00:00" in row and "2026-12-15 23:59" in row and "Asia/Shanghai" in row
    assert [cell.split("<")[0] for cell in row.split('<td class="num">')[2:4]] == ["2", "1"]  # participants, finished
    assert "未开始" in html.split('id="contest-later"')[1].split("</tr>")[0]
    assert "已结束" in html.split('id="contest-past"')[1].split("</tr>")[0]


def test_a_region_limited_account_counts_only_its_region(console, contest):
    client = console("staff", region="包头市")
    api = client.application.test_client()
    for phone, region in (("13800000001", "包头市"), ("13800000002", "呼和浩特市"), ("13800000003", "呼和浩特市")):
        registered = api.post("/api/v1/contests/demo/participants",
                              json={"name": "张三", "phone": phone, "region": region, "consent": True})
        token = registered.get_json()["token"]
        started = api.post("/api/v1/contests/demo/attempts", headers={"Authorization": f"Bearer {token}"})
        api.post(f"/api/v1/attempts/{started.get_json()['attempt_id']}/submit", json={},
                 headers={"Authorization": f"Bearer {token}"})
    row = client.get("/admin/contests").get_data(as_text=True).split('id="contest-demo"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('<td class="num">')[2:4]] == ["1", "1"]
    everyone = console("organizer").get("/admin/contests").get_data(as_text=True)
    row = everyone.split('id="contest-demo"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('<td class="num">')[2:4]] == ["3", "3"]


# --- CSRF ---------------------------------------------------------------------------------


@pytest.fixture
def signed_in_csrf(csrf_app, clock):
    """An organizer signed in on the CSRF-checking app, with the sample bank and contest loaded."""
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest
    from tests.conftest import sample_bank

    with csrf_app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    make_account(csrf_app, "csrf-organizer", "organizer", clock=clock)
    client = csrf_app.test_client()
    assert sign_in(client, "csrf-organizer").status_code == 302
    return client


def test_every_post_needs_the_csrf_token(signed_in_csrf, csrf_app):
    client = signed_in_csrf
    form = page_form(client, "/admin/contests/demo/edit")
    form["title"] = ["无令牌修改"]
    without = {name: values for name, values in form.items() if name != "csrf_token"}
    assert client.post("/admin/contests/demo/edit", data=without).status_code == 400
    new_form = page_form(client, "/admin/contests/new")
    new_form.update({"slug": ["no-token"], "title": ["无令牌新建"]})
    new_form.pop("csrf_token")
    assert client.post("/admin/contests/new", data=new_form).status_code == 400
    upload = {"file": (io.BytesIO(dumps(contest_definition("via-upload"))), "c.json")}
    assert client.post("/admin/contests/upload", data=upload, content_type="multipart/form-data").status_code == 400
    assert client.post("/admin/contests/demo/preview", data={}).status_code == 400
    assert contest_row(csrf_app, "demo")["title"] == "测试竞赛"
    assert contest_row(csrf_app, "no-token") is None and contest_row(csrf_app, "via-upload") is None
    with csrf_app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(PreviewAttempt)).scalar_one() == 0
    assert audit_actions(csrf_app) == [("contest_create", audit_actions(csrf_app)[0][1], "demo")]


def test_with_the_token_the_same_posts_go_through(signed_in_csrf, csrf_app):
    client = signed_in_csrf
    form = page_form(client, "/admin/contests/demo/edit")
    form["title"] = ["有令牌修改"]
    assert client.post("/admin/contests/demo/edit", data=form).status_code == 302
    assert contest_row(csrf_app, "demo")["title"] == "有令牌修改"
    token = csrf_token(client, "/admin/contests/demo/preview")
    assert client.post("/admin/contests/demo/preview", data={"csrf_token": token}).status_code == 302
    with csrf_app.app_context():
        preview_id = db.session.execute(db.select(PreviewAttempt.id)).scalar_one()
    submit = f"/admin/contests/demo/preview/{preview_id}/submit"
    assert client.post(submit, data={}).status_code == 400  # handing in needs the token too
    with csrf_app.app_context():
        assert db.session.get(PreviewAttempt, preview_id).submitted_at is None
    token = csrf_token(client, "/admin/contests/demo/preview")
    assert client.post(submit, data={"csrf_token": token}).status_code == 302
    with csrf_app.app_context():
        assert db.session.get(PreviewAttempt, preview_id).submitted_at is not None
        assert db.session.execute(db.select(db.func.count()).select_from(Contest)).scalar_one() == 1
