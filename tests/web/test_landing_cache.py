"""The anonymous landing page is rendered once and kept a few seconds, without ever carrying one
visitor's token or data to another."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

from quizapp.web.page_cache import PageCache
from quizapp.web.public.landing_cache import _seconds_left

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM = {"name": "王秀英", "phone": "13812345678", "region": "包头市", "consent": "y", "age_confirmed": "y"}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cached_app(app, clock=None):
    app.config.update(LANDING_CACHE_SECONDS=5, WTF_CSRF_ENABLED=True)
    app.extensions["landing_pages"] = PageCache(clock=clock or FakeClock())
    return app


def _token(response) -> str:
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def test_each_visitor_gets_the_cached_page_with_a_token_of_their_own(app, contest):
    _cached_app(app)
    first, second = app.test_client(), app.test_client()
    page_one, page_two = first.get("/c/demo"), second.get("/c/demo")
    assert len(app.extensions["landing_pages"]) == 1
    assert _token(page_one) != _token(page_two)
    assert "\x00" not in page_two.get_data(as_text=True)
    assert page_two.headers["Cache-Control"] == "no-store"
    # The token of the cached page is valid for the visitor who got it, and only for them.
    assert second.post("/c/demo/register", data={**FORM, "csrf_token": _token(page_two)}).status_code == 302
    stolen = first.post("/c/demo/register", data={**FORM, "phone": "13900000000", "csrf_token": _token(page_two)})
    assert stolen.status_code == 400


def test_a_registered_visitor_never_gets_the_anonymous_page_and_it_never_shows_them(app, contest):
    _cached_app(app)
    visitor = app.test_client()
    visitor.get("/c/demo")
    player = app.test_client()
    token = _token(player.get("/c/demo"))
    assert player.post("/c/demo/register", data={**FORM, "csrf_token": token}).status_code == 302
    own = player.get("/c/demo").get_data(as_text=True)
    assert "登记成功" in own and "开始答题" in own  # the flash and their start button, not the form
    assert "王" not in visitor.get("/c/demo").get_data(as_text=True)
    again = player.get("/c/demo").get_data(as_text=True)
    assert "开始答题" in again and 'id="register-form"' not in again


def test_the_page_shows_a_change_to_the_contest_once_its_seconds_are_over(app, contest):
    from quizapp.extensions import db
    from quizapp.models import Contest

    clock = FakeClock()
    _cached_app(app, clock)
    client = app.test_client()
    assert "测试竞赛" in client.get("/c/demo").get_data(as_text=True)
    with app.app_context():
        db.session.execute(db.update(Contest).values(title="改名后的竞赛"))
        db.session.commit()
    clock.now += 4
    assert "测试竞赛" in client.get("/c/demo").get_data(as_text=True)
    clock.now += 1.5
    assert "改名后的竞赛" in client.get("/c/demo").get_data(as_text=True)


def test_channels_are_kept_apart_and_unknown_contests_are_not_cached(app, contest):
    _cached_app(app)
    client = app.test_client()
    assert 'value="school-1"' in client.get("/c/demo?ch=school-1").get_data(as_text=True)
    assert 'value="school-1"' not in client.get("/c/demo?ch=school-2").get_data(as_text=True)
    assert client.get("/c/nope").status_code == 404
    assert len(app.extensions["landing_pages"]) == 2


def test_a_page_rendered_before_the_opening_expires_at_the_opening():
    moment = datetime(2026, 11, 14, 15, 59, 58, tzinfo=UTC)
    view = SimpleNamespace(starts_at=datetime(2026, 11, 14, 16, 0, tzinfo=UTC),
                           ends_at=datetime(2026, 12, 15, 15, 59, 59, tzinfo=UTC))
    assert _seconds_left(view, moment, 5) == 2
    assert _seconds_left(view, datetime(2026, 11, 20, tzinfo=UTC), 5) == 5
    assert _seconds_left(view, datetime(2027, 1, 1, tzinfo=UTC), 5) == 5


def test_the_cache_forgets_the_oldest_entry_beyond_its_size():
    clock = FakeClock()
    cache = PageCache(max_entries=2, clock=clock)
    for key in "abc":
        cache.put(key, key.upper(), 10)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, "B", "C")
    clock.now += 10
    assert cache.get("b") is None
    cache.put("d", "D", 0)
    assert cache.get("d") is None


def test_the_leaderboard_response_is_kept_for_its_seconds(app, contest, api):
    from quizapp.extensions import db
    from quizapp.models import Participant

    clock = FakeClock()
    app.config["LEADERBOARD_CACHE_SECONDS"] = 10
    app.extensions["public_responses"] = PageCache(clock=clock)
    api.register(name="李四")
    api.submit(api.start().get_json()["attempt_id"])
    client = app.test_client()
    first = client.get("/api/v1/contests/demo/leaderboard").get_json()
    assert [e["name"] for e in first["entries"]] == ["李*"]
    with app.app_context():
        db.session.execute(db.update(Participant).values(name="赵五"))
        db.session.commit()
    clock.now += 9
    assert client.get("/api/v1/contests/demo/leaderboard").get_json() == first
    assert client.get("/api/v1/contests/demo/leaderboard?limit=5").get_json()["entries"][0]["name"] == "赵*"
    clock.now += 1
    assert client.get("/api/v1/contests/demo/leaderboard").get_json()["entries"][0]["name"] == "赵*"
    page = client.get("/c/demo/leaderboard")
    assert page.status_code == 200 and "赵*" in page.get_data(as_text=True)
