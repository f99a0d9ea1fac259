"""渠道与海报 in the console: who may do what, channels with readable default names, downloads that point
where they should, the batch's preview and zip, the poster logo, and the audit rows of each change."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from urllib.parse import unquote

import pytest
from PIL import Image

from quizapp.extensions import db
from quizapp.models import AuditLog, Channel, ContestLogo
from quizapp.services import channels as channel_service
from quizapp.services.banks import import_bank_bytes
from quizapp.services.channel_admin import default_name
from quizapp.services.contests import load_contest
from tests.admin.conftest import PASSWORD, csrf_token, make_account, sign_in
from tests.conftest import contest_definition, sample_bank
from tests.unit.test_logo import jpeg_bytes, png_bytes
from tests.unit.test_qr_decoding import decode_image, decode_pdf, decode_png, rasterize_svg

BASE = "/admin/contests/demo/channels"
EDITS_GET = [f"{BASE}/new", f"{BASE}/school-01/edit", f"{BASE}/batch"]
EDITS_POST = [f"{BASE}/new", f"{BASE}/school-01/edit", f"{BASE}/batch", f"{BASE}/batch/confirm",
              "/admin/contests/demo/logo", "/admin/contests/demo/logo/remove"]
DOWNLOADS = [f"{BASE}/school-01/qr.png", f"{BASE}/school-01/qr.svg", f"{BASE}/school-01/poster.pdf"]


@pytest.fixture
def school(app, contest, clock):
    with app.app_context():
        channel_service.add_channel(contest, "school-01", "第一中学", clock.now)
    return "school-01"


def channel_rows(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(db.select(Channel).order_by(Channel.code)).scalars()
        return [(c.code, c.name, c.event_date, c.place, c.person) for c in rows]


def audit_rows(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.execute(db.select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars())


def upload(client, path: str, data: bytes, field: str = "file", name: str = "channels.csv"):
    return client.post(path, data={field: (io.BytesIO(data), name)}, content_type="multipart/form-data")


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


# --- access ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login(client, school):
    for path in ["/admin/channels", BASE, *EDITS_GET, *DOWNLOADS]:
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"], path
    assert client.post(f"{BASE}/new", data={"code": "x"}).status_code == 302
    assert channel_rows(client.application) == [("school-01", "第一中学", None, "", "")]


def test_staff_sees_channels_and_downloads_but_may_change_nothing(console, school):
    client = console("staff")
    home = client.get("/admin/channels").get_data(as_text=True)
    assert 'href="/admin/channels"' in home and "渠道与海报" in home  # in the navigation
    assert f'href="{BASE}"' in home and "测试竞赛" in home
    page = client.get(BASE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "第一中学" in html and "school-01" in html
    assert f"{BASE}/new" not in html and f"{BASE}/batch" not in html and "/edit" not in html
    assert 'name="logo"' not in html
    for path in DOWNLOADS:
        assert client.get(path).status_code == 200, path
    assert 'href="/c/demo/poster?ch=school-01"' in html  # the print page
    for path in EDITS_GET:
        assert client.get(path).status_code == 403, path
    for path in EDITS_POST:
        assert client.post(path, data={"code": "x", "name": "改了", "rm-confirm": "y"}).status_code == 403, path
    assert channel_rows(client.application) == [("school-01", "第一中学", None, "", "")]


@pytest.mark.parametrize("role", ["admin", "organizer"])
def test_editors_see_the_edit_links(console, school, role):
    html = console(role).get(BASE).get_data(as_text=True)
    for link in (f"{BASE}/new", f"{BASE}/batch", f"{BASE}/school-01/edit", "/admin/contests/demo/logo"):
        assert f'"{link}' in html, link


def test_unknown_contest_or_channel_is_a_404(console, school):
    client = console("organizer")
    for path in ["/admin/contests/nope/channels", f"{BASE}/nope/qr.png", f"{BASE}/school-01/qr.gif", f"{BASE}/nope/edit"]:
        assert client.get(path).status_code == 404, path


def test_every_post_needs_the_csrf_token(csrf_app, clock):
    with csrf_app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    make_account(csrf_app, "org", "organizer", clock=clock)
    client = csrf_app.test_client()
    sign_in(client, "org")
    assert client.post(f"{BASE}/new", data={"code": "a-1"}).status_code == 400
    token = csrf_token(client, f"{BASE}/new")
    assert client.post(f"{BASE}/new", data={"code": "a-1", "csrf_token": token}).status_code == 302
    assert [row[0] for row in channel_rows(csrf_app)] == ["a-1"]


# --- add and edit ----------------------------------------------------------------------------


def test_add_with_every_field_is_listed_and_audited(console, contest):
    client = console("organizer", username="org-wang")
    response = client.post(f"{BASE}/new", data={"code": " hhht-1120 ", "name": "启动仪式", "event_date": "2026-11-20",
                                                "place": "青城公园", "person": "王老师"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{BASE}#channel-hhht-1120")
    assert channel_rows(client.application) == [("hhht-1120", "启动仪式", date(2026, 11, 20), "青城公园", "王老师")]
    html = client.get(BASE).get_data(as_text=True)
    assert "已新建渠道 hhht-1120：启动仪式" in html and "2026-11-20" in html and "王老师" in html
    (row,) = audit_rows(client.application, "channel_create")
    assert (row.actor, row.target, row.rows) == ("org-wang", "hhht-1120（启动仪式）", 1)
    assert "王老师" not in str(row.detail)


def test_a_channel_without_a_name_gets_a_readable_one_never_its_code(console, contest):
    client = console("organizer")
    client.post(f"{BASE}/new", data={"code": "p1", "event_date": "2026/11/20", "place": "青城公园"})
    client.post(f"{BASE}/new", data={"code": "p2", "event_date": "2026-11-20", "place": "青城公园"})
    client.post(f"{BASE}/new", data={"code": "d1", "event_date": "2026-12-01"})
    client.post(f"{BASE}/new", data={"code": "x1"})
    client.post(f"{BASE}/new", data={"code": "x2", "name": "   "})
    names = {row[0]: row[1] for row in channel_rows(client.application)}
    assert names == {"p1": "11月20日 青城公园", "p2": "11月20日 青城公园（2）", "d1": "12月1日活动",
                     "x1": "未命名渠道 1", "x2": "未命名渠道 2"}


def test_default_name_rules():
    assert default_name(date(2026, 11, 20), "青城公园", set()) == "11月20日 青城公园"
    assert default_name(None, "青城公园", {"青城公园"}) == "青城公园（2）"
    assert default_name(None, "", {"a", "未命名渠道 1", "未命名渠道 3"}) == "未命名渠道 2"
    assert len(default_name(date(2026, 1, 2), "地" * 100, set())) == 100


@pytest.mark.parametrize("data,field,reason", [
    ({"code": "bad code"}, "code", "只能包含字母"), ({"code": ""}, "code", "只能包含字母"),
    ({"code": "ok", "event_date": "11月20日"}, "event_date", "年-月-日"),
    ({"code": "ok", "event_date": "2026-02-30"}, "event_date", "年-月-日"),
    ({"code": "ok", "place": "地" * 101}, "place", "最多 100"), ({"code": "ok", "person": "人" * 51}, "person", "最多 50"),
    ({"code": "ok", "name": "名" * 101}, "name", "最多 100")])
def test_bad_fields_are_refused_beside_the_field(console, contest, data, field, reason):
    client = console("organizer")
    response = client.post(f"{BASE}/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{reason}', html), html[-3000:]
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    assert channel_rows(client.application) == []


def test_a_taken_code_is_refused_and_the_channel_kept(console, school):
    client = console("organizer")
    response = client.post(f"{BASE}/new", data={"code": "school-01", "name": "别的"})
    assert response.status_code == 422 and "已经有了（第一中学）" in response.get_data(as_text=True)
    assert channel_rows(client.application) == [("school-01", "第一中学", None, "", "")]


def test_edit_changes_the_details_but_never_the_code(console, school):
    client = console("organizer", username="org-li")
    form = client.get(f"{BASE}/school-01/edit").get_data(as_text=True)
    assert "渠道代码不能修改" in form and 'value="第一中学"' in form and 'name="code"' not in form
    response = client.post(f"{BASE}/school-01/edit", data={"name": "五进·进校园·第一中学", "event_date": "2026-11-21",
                                                          "place": "第一中学操场", "person": ""})
    assert response.status_code == 302
    assert channel_rows(client.application) == [("school-01", "五进·进校园·第一中学", date(2026, 11, 21), "第一中学操场", "")]
    (row,) = audit_rows(client.application, "channel_update")
    assert row.actor == "org-li" and row.detail == {"fields": ["名称", "活动日期", "地点"]}
    again = client.post(f"{BASE}/school-01/edit", data={"name": "五进·进校园·第一中学", "event_date": "2026-11-21",
                                                       "place": "第一中学操场"}, follow_redirects=True)
    assert "内容没有变化" in again.get_data(as_text=True) and len(audit_rows(client.application, "channel_update")) == 1
    forged = client.post(f"{BASE}/school-01/edit", data={"code": "school-99", "name": "x"})
    assert forged.status_code == 422 and "渠道代码不能修改" in forged.get_data(as_text=True)
    assert [row[0] for row in channel_rows(client.application)] == ["school-01"]


def test_clearing_the_name_on_edit_gives_a_readable_one(console, school):
    client = console("organizer")
    client.post(f"{BASE}/school-01/edit", data={"name": "", "event_date": "2026-11-20", "place": "青城公园"})
    assert channel_rows(client.application)[0][1] == "11月20日 青城公园"


# --- downloads -------------------------------------------------------------------------------


def attachment_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    return unquote(match.group(1)) if match else re.search(r'filename="?([^";]+)', disposition).group(1)


def staff_at(app, clock, host: str):
    """A staff member signed in at `host` (the session cookie belongs to the host it was set by)."""
    username = "staff-" + re.sub(r"\W", "-", host.split("//")[1])
    make_account(app, username, "staff", clock=clock)
    client = app.test_client()
    response = client.post("/admin/login", data={"username": username, "password": PASSWORD},
                           base_url=host)
    assert response.status_code == 302
    return client


def test_downloads_point_at_the_request_host_without_public_base_url(app, clock, school):
    app.config["PUBLIC_BASE_URL"] = ""
    client = staff_at(app, clock, "http://192.168.1.20:8080")
    at = {"base_url": "http://192.168.1.20:8080"}
    url = "http://192.168.1.20:8080/s/demo/school-01"
    png = client.get(f"{BASE}/school-01/qr.png", **at)
    assert png.mimetype == "image/png" and attachment_name(png) == "第一中学-school-01-二维码.png"
    assert decode_png(png.data).text == url
    svg = client.get(f"{BASE}/school-01/qr.svg", **at)
    assert attachment_name(svg) == "第一中学-school-01-二维码.svg"
    (found,) = decode_image(rasterize_svg(svg.get_data(as_text=True)))
    assert found.text == url
    pdf = client.get(f"{BASE}/school-01/poster.pdf", **at)
    assert pdf.mimetype == "application/pdf" and attachment_name(pdf) == "第一中学-school-01-海报.pdf"
    assert decode_pdf(pdf.data).text == url
    page = client.get(BASE, **at).get_data(as_text=True)
    assert "<code>http://192.168.1.20:8080</code>" in page and "本机地址" not in page


def test_downloads_point_at_public_base_url_when_set(app, clock, school):
    app.config["PUBLIC_BASE_URL"] = "https://yjj.example.gov.cn/"
    client = staff_at(app, clock, "http://10.0.0.5:9000")
    png = client.get(f"{BASE}/school-01/qr.png", base_url="http://10.0.0.5:9000")
    assert decode_png(png.data).text == "https://yjj.example.gov.cn/s/demo/school-01"


def test_a_loopback_address_is_warned_about(app, clock, school):
    app.config["PUBLIC_BASE_URL"] = ""
    client = staff_at(app, clock, "http://127.0.0.1:5000")
    html = client.get(BASE, base_url="http://127.0.0.1:5000").get_data(as_text=True)
    assert "本机地址，手机扫码打不开" in html


def test_a_channel_named_after_its_code_downloads_under_its_code(console, contest, app, clock):
    with app.app_context():
        channel_service.make_code(contest, "v-7", "png", channel_service.QrOptions(), "https://x.cn", clock.now)
    response = console("staff").get(f"{BASE}/v-7/qr.png")
    assert attachment_name(response) == "v-7-二维码.png"


# --- the funnel ------------------------------------------------------------------------------


def funnel_of(client, code: str) -> dict[str, str]:
    html = client.get(BASE).get_data(as_text=True)
    row = re.search(rf'<tr id="channel-{code}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'class="num" data-label="([^"]+)">(?:<span title="([^"]+)">)?([^<]*)<', row)
    return {label: title or value for label, title, value in cells}  # 中奖 before the draw: its title


def test_the_list_shows_each_channels_funnel_inside_the_accounts_region(app, console, school):
    client = app.test_client()
    client.get("/s/demo/school-01", headers={"User-Agent": "Mozilla/5.0"})
    for n, region in enumerate(["包头市", "呼和浩特市"]):
        response = client.post("/api/v1/contests/demo/participants", json={
            "name": "参赛者", "phone": f"1380000000{n}", "region": region, "consent": True, "channel": "school-01"},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"}, headers={"User-Agent": f"phone-{n}"})
        assert response.status_code == 201
    everyone = funnel_of(console("staff"), "school-01")
    assert (everyone["扫码"], everyone["登记"], everyone["中奖"]) == ("1", "2", "尚未开奖")
    baotou = console("staff", region="包头市")
    assert (funnel_of(baotou, "school-01")["扫码"], funnel_of(baotou, "school-01")["登记"]) == ("1", "1")
    assert "只计 包头市 的参赛者" in baotou.get(BASE).get_data(as_text=True)


# --- logo ------------------------------------------------------------------------------------


def stored_logo(app):
    with app.app_context():
        row = db.session.execute(db.select(ContestLogo)).scalar_one_or_none()
        return None if row is None else (row.width, row.height, row.data)


def test_a_png_logo_is_kept_shrunk_shown_and_audited(app, console, contest):
    client = console("organizer", username="org-logo")
    response = upload(client, "/admin/contests/demo/logo", png_bytes((1600, 800)), field="logo", name="logo.png")
    assert response.status_code == 302 and response.headers["Location"].endswith("#logo")
    width, height, data = stored_logo(app)
    assert (width, height) == (800, 400) and Image.open(io.BytesIO(data)).format == "PNG"
    html = client.get(BASE).get_data(as_text=True)
    assert "800×400 像素" in html and 'src="/c/demo/logo.png?v=' in html
    shown = client.get("/c/demo/logo.png")  # the poster's own address: the image the posters carry
    assert shown.mimetype == "image/png" and shown.data == data
    (row,) = audit_rows(app, "logo_upload")
    assert (row.actor, row.detail) == ("org-logo", {"format": "PNG 800×400"})
    assert "/admin/channels" in console("staff").get("/admin/channels").get_data(as_text=True)


def test_a_jpeg_logo_is_stored_as_png(app, console, contest):
    client = console("organizer")
    assert upload(client, "/admin/contests/demo/logo", jpeg_bytes((300, 200), artist="李四"),
                  field="logo", name="logo.jpg").status_code == 302
    width, height, data = stored_logo(app)
    assert (width, height) == (300, 200) and data.startswith(b"\x89PNG") and "李四".encode() not in data


@pytest.mark.parametrize("data,reason", [(b"GIF89a not really", "不是可识别的图片"),
                                         (png_bytes((100, 100)) + b"\0" * (2 * 1024 * 1024), "图片太大"),
                                         (png_bytes((40, 40)), "图片太小（40×40 像素）"), (b"", "请选择要上传的标志图片")])
def test_bad_logos_are_refused_beside_the_field(app, console, contest, data, reason):
    client = console("organizer")
    response = upload(client, "/admin/contests/demo/logo", data, field="logo", name="x.png")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and re.search(rf'id="logo-error">[^<]*{re.escape(reason)}', html)
    assert stored_logo(app) is None and audit_rows(app, "logo_upload") == []


def test_removing_the_logo_needs_the_tick(app, console, contest):
    client = console("organizer")
    upload(client, "/admin/contests/demo/logo", png_bytes(), field="logo", name="logo.png")
    refused = client.post("/admin/contests/demo/logo/remove", data={}, follow_redirects=True)
    assert "请先勾选" in refused.get_data(as_text=True) and stored_logo(app) is not None
    done = client.post("/admin/contests/demo/logo/remove", data={"rm-confirm": "y"}, follow_redirects=True)
    assert "已删除海报标志" in done.get_data(as_text=True) and stored_logo(app) is None
    assert len(audit_rows(app, "logo_remove")) == 1
    assert client.get("/c/demo/logo.png").status_code == 404
    again = client.post("/admin/contests/demo/logo/remove", data={"rm-confirm": "y"}, follow_redirects=True)
    assert "无需删除" in again.get_data(as_text=True) and len(audit_rows(app, "logo_remove")) == 1


def test_the_audit_page_names_the_new_actions(app, console, school):
    client = console("admin")
    client.post(f"{BASE}/new", data={"code": "a-1"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "新建渠道" in html and "a-1（未命名渠道 1）" in html
