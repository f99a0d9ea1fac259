"""Participant pages: CSRF, privacy between participants, cache headers, and phone-friendliness proxies."""

from __future__ import annotations

import re
from pathlib import Path

from quizapp.web.static_assets import plain_name

from .conftest import Player, parse_question

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def finished_player(app, phone: str = "13812345678", name: str = "张三") -> tuple[Player, str]:
    """A player who answered question 1 and handed in; returns (player, attempt id)."""
    who = Player(app)
    who.register(phone=phone, name=name)
    who.start()
    shown = parse_question(who.page(1).get_data(as_text=True))
    who.answer(1, shown["key"], shown["options"][:1])
    attempt_id = who.running().id
    who.client.post("/c/demo/submit", data={"attempt_id": attempt_id})
    return who, attempt_id


def test_csrf_refuses_a_post_without_token_and_accepts_the_form(app, contest):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    data = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": "y", "age_confirmed": "y"}
    refused = client.post("/c/demo/register", data=data)
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    token = TOKEN.search(client.get("/c/demo").get_data(as_text=True)).group(1)
    assert client.post("/c/demo/register", data={**data, "csrf_token": token}).status_code == 302
    assert client.post("/c/demo/start").status_code == 400
    landing = client.get("/c/demo").get_data(as_text=True)
    started = client.post("/c/demo/start", data={"csrf_token": TOKEN.search(landing).group(1)})
    assert started.status_code == 302 and started.headers["Location"].endswith("/play")
    page = client.get("/c/demo/play").get_data(as_text=True)
    shown = parse_question(page)
    moved = client.post("/c/demo/play", data={"csrf_token": TOKEN.search(page).group(1), "q": "1",
                                              "question": shown["key"], "choice": shown["options"][:1]})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("?q=2")
    assert parse_question(client.get("/c/demo/play?q=1").get_data(as_text=True))["checked"] == shown["options"][:1]


def test_another_participant_never_sees_my_result(app, contest):
    first, attempt_id = finished_player(app)
    assert first.client.get(f"/c/demo/result/{attempt_id}").status_code == 200
    second = Player(app)
    second.register(phone="13912345678", name="李四")
    response = second.client.get(f"/c/demo/result/{attempt_id}")
    assert response.status_code == 404
    assert "单选题" not in response.get_data(as_text=True) and "解析" not in response.get_data(as_text=True)
    assert attempt_id not in second.client.get("/c/demo/me").get_data(as_text=True)
    assert second.client.post("/c/demo/submit", data={"attempt_id": attempt_id}).status_code == 404


def test_personal_pages_are_never_cached(app, contest):
    who, attempt_id = finished_player(app)
    who.start()
    for path in ("/c/demo", "/c/demo/play", "/c/demo/play/confirm", f"/c/demo/result/{attempt_id}", "/c/demo/me"):
        response = who.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "Content-Security-Policy" in who.client.get("/c/demo/leaderboard").headers


def _assert_phone_friendly(html: str, path: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html, path
    for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert 'src="/static/' in tag and not body.strip(), path  # no inline scripts (CSP)
    assert " style=" not in html and "<style" not in html, path
    assert not re.search(r"\son[a-z]+\s*=", html), path  # no inline event handlers
    assert "javascript:" not in html and "//cdn" not in html, path
    assets = sum((ROOT / "static" / plain_name(src)).stat().st_size for src in re.findall(r'="/static/([^"?]+)', html))
    assert len(html.encode()) + assets < 100 * 1024, path


def test_pages_are_small_and_csp_clean(app, contest):
    who, attempt_id = finished_player(app)
    pages = ["/c/demo", f"/c/demo/result/{attempt_id}", "/c/demo/me", "/c/demo/leaderboard", "/c/missing"]
    htmls = {path: who.client.get(path).get_data(as_text=True) for path in pages}
    who.start()
    htmls["/c/demo/play"] = who.client.get("/c/demo/play").get_data(as_text=True)
    htmls["/c/demo/play/confirm"] = who.client.get("/c/demo/play/confirm").get_data(as_text=True)
    htmls["register-errors"] = Player(app).client.post("/c/demo/register", data={"phone": "1"}).get_data(as_text=True)
    for path, html in htmls.items():
        _assert_phone_friendly(html, path)
    assert 'src="/static/js/round.' in htmls["/c/demo/play"]


def test_stylesheet_keeps_type_large_and_targets_tappable():
    css = (ROOT / "static" / "css" / "site.css").read_text()
    assert re.search(r"body\s*{[^}]*font-size:\s*(18px|1\.125rem)", css)
    assert css.count("min-height: 48px") >= 2
    js = (ROOT / "static" / "js" / "round.js").read_text()
    assert "data-server-time" in js and "data-deadline" in js
