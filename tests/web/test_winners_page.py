"""The public notice page /c/<slug>/winners, its JSON download and the verifier download."""

from __future__ import annotations

import json
import re
from pathlib import Path

from quizapp.domain import prize_draw
from quizapp.services import draw as draw_service
from quizapp.web.public import winners as winners_view
from tests.services.test_draw_support import AFTER_END, SLUG, phone, play


def consenting(client, i: int, name: str = "李四光") -> str:
    """Register phone(i) agreeing that a masked name may appear in the notice; returns the token."""
    body = {"name": name, "phone": phone(i), "region": "包头市", "consent": True, "publish_consent": True}
    response = client.post(f"/api/v1/contests/{SLUG}/participants", json=body, headers={"X-Client-Id": f"dev-{i:06d}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def page(client) -> str:
    response = client.get(f"/c/{SLUG}/winners")
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_before_the_draw_says_when_and_what_was_committed(app, client, clock, contest):
    html = page(client)
    assert "2026年12月15日 23:59" in html and "抽奖名单尚未锁定" in html
    assert "抽奖承诺" not in html and "尚未提交" not in html  # plain words, not the CLI's jargon
    assert "抽奖怎样保证公平" in html and "谁也猜不到" in html
    assert "名单锁定记录" not in html and "开奖数据" not in html  # nothing committed yet
    play(app, client, clock, phone(1))
    clock.now = AFTER_END
    with app.app_context():
        draw = draw_service.commit_draw(SLUG, clock.now, "主办方", "2026-12-17 福彩3D 开奖号码")
    html = page(client)
    assert draw.entrants_sha256 in html and draw.seed_sha256 in html
    assert "抽奖名单已经锁定，共 1 人" in html and "抽奖名单尚未锁定" not in html
    # The declared source is stated where the number will be, which says plainly that it is not out yet.
    draw_card = html[html.index('id="draw-title"'):]
    assert "公开随机数：尚未公布" in draw_card and "2026-12-17 福彩3D 开奖号码" in draw_card
    assert draw.seed_hex not in html and "如何自己核对" in html
    assert client.get("/c/nope/winners").status_code == 404


def test_after_the_draw_shows_masked_winners_the_reveal_and_how_to_verify(app, client, clock, contest):
    for i in range(3):
        play(app, client, clock, phone(i), token=consenting(client, i))
    clock.now = AFTER_END
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方", "2026-12-17 福彩3D 开奖号码")
        draw, _, _ = draw_service.run_draw(SLUG, clock.now, "主办方", "582")
    html = page(client)
    assert draw.seed_hex in html
    # The public random number itself, in the draw card, next to the source declared before it was known.
    draw_card = html[html.index('id="draw-title"'):html.index('id="verify-title"')]
    assert "<strong>582</strong>" in draw_card and "2026-12-17 福彩3D 开奖号码" in draw_card
    assert "尚未公布" not in draw_card
    for winner in draw.winners:
        assert winner["entrant_code"] in html
    assert "李**" in html and "139****" in html and "一等奖" in html
    assert "李四光" not in html and phone(0) not in html
    assert len(html.encode()) < 100_000


def test_a_winner_without_consent_is_listed_by_code_and_region_only(app, client, clock, contest, monkeypatch):
    for i in range(3):
        play(app, client, clock, phone(i), token=consenting(client, i))
    clock.now = AFTER_END
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        draw, _, _ = draw_service.run_draw(SLUG, clock.now, "主办方", "582")
    real_notice = winners_view.draw_service.notice

    def without_consent(contest_row):
        # As the service gives a winner who did not agree to publish the name: name (and phone) empty.
        body = real_notice(contest_row)
        body["winners"][0] = {**body["winners"][0], "name": "", "phone": ""}
        return body

    monkeypatch.setattr(winners_view.draw_service, "notice", without_consent)
    html = page(client)
    items = re.findall(r"<li><strong>一等奖</strong>(.*?)</li>", html, re.S)
    assert len(items) == 1
    shown = " ".join(items[0].split())
    assert draw.winners[0]["entrant_code"] in shown and "包头市" in shown
    assert "**" not in shown and "****" not in shown  # no name, no phone: nothing left blank or masked
    assert shown.startswith("包头市")  # the entry begins with the region, not with an empty name gap
    others = re.findall(r"<li><strong>二等奖</strong>(.*?)</li>", html, re.S)
    assert others and all("李**" in item for item in others)


def test_downloads_verify_with_the_standalone_program(app, client, clock, contest, tmp_path):
    play(app, client, clock, phone(1))
    clock.now = AFTER_END
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        draw_service.run_draw(SLUG, clock.now, "主办方", "582")
    data = client.get(f"/c/{SLUG}/winners.json")
    assert "attachment" in data.headers["Content-Disposition"]
    assert prize_draw.verify_document(json.loads(data.get_data(as_text=True))) == []
    source = client.get(f"/c/{SLUG}/prize_draw.py")
    assert source.get_data(as_text=True) == Path(prize_draw.__file__).read_text(encoding="utf-8")


def test_record_page_shows_the_entrant_code(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1))
    with client.session_transaction() as session:
        session["tokens"] = {SLUG: token}  # as the registration form leaves it
    html = client.get(f"/c/{SLUG}/me").get_data(as_text=True)
    code = client.get(f"/api/v1/contests/{SLUG}/me", headers={"Authorization": f"Bearer {token}"}).get_json()[
        "entrant_code"]
    assert code and code in html and f"/c/{SLUG}/winners" in html


def test_record_page_without_a_code_says_it_is_being_checked(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1), seconds=0)  # flagged: passed, but not in the draw yet
    with client.session_transaction() as session:
        session["tokens"] = {SLUG: token}
    html = client.get(f"/c/{SLUG}/me").get_data(as_text=True)
    assert "已获得抽奖资格" not in html and "核实后显示抽奖编号" in html  # as `me` and the draw say


def test_result_page_of_a_flagged_round_does_not_promise_the_draw(app, client, clock, contest):
    token, attempt_id = play(app, client, clock, phone(1), seconds=0)  # passed, but flagged
    with client.session_transaction() as session:
        session["tokens"] = {SLUG: token}
    html = client.get(f"/c/{SLUG}/result/{attempt_id}").get_data(as_text=True)
    assert "合格：成绩达到" in html and "获得抽奖资格" not in html and "抽奖资格正在核实" in html
    fair_token, fair_attempt = play(app, client, clock, phone(2), seconds=60)
    with client.session_transaction() as session:
        session["tokens"] = {SLUG: fair_token}
    assert "获得抽奖资格" in client.get(f"/c/{SLUG}/result/{fair_attempt}").get_data(as_text=True)
