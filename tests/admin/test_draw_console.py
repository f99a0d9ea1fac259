"""The guided draw in the console: who may use it, each step confirmed and audited, the export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from quizapp.extensions import db
from quizapp.models import AuditLog, Exclusion, PrizeDraw
from quizapp.services import contests as contest_service
from tests.conftest import contest_definition
from tests.services.test_draw_support import AFTER_END, SLUG, phone, play

ENTROPY = "2026年12月17日福彩3D 5 8 2"
BASE = f"/admin/contests/{SLUG}/draw"


@pytest.fixture
def ended(app, client, clock, contest):
    """Four passing participants, prizes with a reserve, the clock after the end and its grace."""
    definition = contest_definition()
    definition["prizes"] = [{"tier": 1, "name": "一等奖", "count": 1, "reserve": 1}]
    definition.update(organizer="呼和浩特市市场监督管理局", contact="0471-6666666")
    with app.app_context():
        contest_service.load_contest(definition, clock.now)
    for i in range(4):
        play(app, client, clock, phone(i), name=f"李{i}光")
    clock.now = AFTER_END


def draws(app) -> list[PrizeDraw]:
    with app.app_context():
        return list(db.session.execute(db.select(PrizeDraw).order_by(PrizeDraw.version)).scalars())


def actions(app) -> list[str]:
    with app.app_context():
        return [a.action for a in db.session.execute(
            db.select(AuditLog).where(AuditLog.action.like("draw_%")).order_by(AuditLog.id)).scalars()]


@pytest.mark.parametrize("role,status", [("staff", 403), ("organizer", 200), ("admin", 200)])
def test_only_organizers_and_admins_see_the_draw(app, console, ended, role, status):
    client = console(role)
    assert client.get("/admin/draw").status_code == status
    assert client.get(BASE).status_code == status
    if role == "staff":
        assert client.post(f"{BASE}/commit", data={"confirm": "y"}).status_code == 403
        assert draws(app) == []


def test_anonymous_is_sent_to_the_login(app, ended):
    response = app.test_client().get(BASE)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_the_checks_say_what_stands_before_the_draw(app, console, ended):
    html = console("organizer").get(BASE).get_data(as_text=True)
    assert "竞赛已结束" in html and "待复核的作弊标记：0 条" in html
    assert "目前符合抽奖条件：4 人；奖项共 1 名，另抽候补 1 名" in html
    assert "排除名单：0 个手机号" in html
    assert 'aria-current="step"' in html


def test_a_step_without_its_confirmation_changes_nothing(app, console, ended):
    client = console("organizer")
    response = client.post(f"{BASE}/commit", data={"entropy_source": "次日福彩3D"})
    assert response.status_code == 400 and "请先勾选确认" in response.get_data(as_text=True)
    assert draws(app) == [] and actions(app) == []


def test_commit_shows_the_announcement_and_a_second_needs_a_reason(app, console, ended):
    client = console("organizer")
    response = client.post(f"{BASE}/commit", data={"entropy_source": "2026-12-17 福彩3D", "confirm": "y"})
    assert response.status_code == 302
    (first,) = draws(app)
    html = client.get(BASE).get_data(as_text=True)
    assert first.entrants_sha256 in html and first.seed_sha256 in html and "复制公告" in html
    assert "2026-12-17 福彩3D" in html and "主办单位：呼和浩特市市场监督管理局" in html
    assert first.seed_hex not in html  # the key stays secret until the run
    refused = client.post(f"{BASE}/commit", data={"entropy_source": "x", "confirm": "y"})
    assert refused.status_code == 422 and "原因" in refused.get_data(as_text=True)
    again = client.post(f"{BASE}/commit", data={"entropy_source": "x", "reason": "排除名单漏导入", "confirm": "y"})
    assert again.status_code == 302 and [d.version for d in draws(app)] == [1, 2]


def test_run_verify_publish_from_the_console(app, console, ended):
    client = console("organizer")
    client.post(f"{BASE}/commit", data={"entropy_source": "2026-12-17 福彩3D", "confirm": "y"})
    assert client.post(f"{BASE}/run", data={"public_entropy": ENTROPY}).status_code == 400
    assert client.post(f"{BASE}/run", data={"public_entropy": ENTROPY, "confirm": "y"}).status_code == 302
    public = app.test_client().get(f"/api/v1/contests/{SLUG}/winners").get_json()
    assert public["state"] == "drawn" and public["winners"] == []  # not public before it is verified
    page = client.get(BASE).get_data(as_text=True)
    assert "候补名单" in page and "李**" in page and "1391234" not in page and "李0光" not in page
    assert "未同意公示姓名" in page  # nobody here agreed: the organizer sees what the public will not
    verified = client.post(f"{BASE}/verify", data={}, follow_redirects=True).get_data(as_text=True)
    assert "核验通过" in verified
    assert client.post(f"{BASE}/publish", data={"confirm": "y"}).status_code == 302
    public = app.test_client().get(f"/api/v1/contests/{SLUG}/winners").get_json()
    assert public["state"] == "published" and len(public["winners"]) == 1 and len(public["reserves"]) == 1
    notice = app.test_client().get(f"/c/{SLUG}/winners").get_data(as_text=True)
    assert "公示期 7 天" in notice and "0471-6666666" in notice and "候补" in notice
    assert actions(app) == ["draw_commit", "draw_run", "draw_verify", "draw_publish"]


def test_the_winners_export_is_for_admins_confirmed_and_audited(app, console, ended):
    organizer = console("organizer")
    organizer.post(f"{BASE}/commit", data={"entropy_source": "s", "confirm": "y"})
    organizer.post(f"{BASE}/run", data={"public_entropy": ENTROPY, "confirm": "y"})
    assert organizer.post(f"{BASE}/winners.xlsx", data={"confirm": "y"}).status_code == 403
    admin = console("admin")
    assert "导出中奖名单（完整联系方式）" in admin.get(BASE).get_data(as_text=True)
    assert admin.post(f"{BASE}/winners.xlsx", data={}).status_code == 400
    response = admin.post(f"{BASE}/winners.xlsx", data={"confirm": "y"})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert [row[3] for row in book["中奖名单"].iter_rows(min_row=2, values_only=True)][0].startswith("李")
    assert actions(app)[-1] == "draw_export"


def test_exclusions_load_from_a_gbk_file_all_or_nothing(app, console, ended):
    client = console("organizer")
    bad = client.post(f"{BASE}/exclusions", data={"phones": f"{phone(0)}\n12345\n", "confirm": "y"})
    assert bad.status_code == 422 and "第 2 行" in bad.get_data(as_text=True)
    upload = (io.BytesIO(f"# 工作人员\n{phone(0)}\n{phone(1)}\n".encode("gbk")), "排除.txt")
    good = client.post(f"{BASE}/exclusions", data={"file": upload, "reason": "工作人员", "confirm": "y"},
                       content_type="multipart/form-data")
    assert good.status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Exclusion.id))).scalar_one() == 2
    assert "目前符合抽奖条件：2 人" in client.get(BASE).get_data(as_text=True)


def test_the_contest_list_links_to_the_draw_for_those_who_may_use_it(app, console, ended):
    link = f'href="{BASE}"'
    assert link in console("organizer").get("/admin/contests").get_data(as_text=True)
    assert link not in console("staff").get("/admin/contests").get_data(as_text=True)


def test_the_navigation_marks_the_area_of_sub_pages(app, console, ended):
    html = console("organizer").get(BASE).get_data(as_text=True)
    assert '<a href="/admin/draw" aria-current="page">' in html
    channels = console("organizer").get(f"/admin/contests/{SLUG}/channels").get_data(as_text=True)
    assert '<a href="/admin/channels" aria-current="page">' in channels
    assert '<a href="/admin/draw" aria-current="page">' not in channels
