"""长辈模式: the switch's cookie, where it leads back to, who may post it, and the caches that must keep
the two modes apart."""

from __future__ import annotations

import re

import pytest

from quizapp.web.page_cache import PageCache
from quizapp.web.public.elder import ELDER_COOKIE, safe_next

ORIGIN = "http://localhost"  # the test client's own site
ELDER_HTML = re.compile(r'<html lang="zh-CN" class="elder">')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def switch(client, on: bool, next_path: str | None = "/c/demo", **headers):
    data = {"elder": "1" if on else "0"}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/elder-mode", data=data, headers={"Origin": ORIGIN, **headers})


def elder_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{ELDER_COOKIE}="))


def test_the_switch_sets_a_lax_cookie_for_a_year_and_leads_back(client, contest):
    plain = client.get("/c/demo").get_data(as_text=True)
    assert not ELDER_HTML.search(plain) and 'aria-pressed="false"' in plain
    turned_on = switch(client, True, "/c/demo/leaderboard?region=%E5%8C%85%E5%A4%B4%E5%B8%82")
    assert turned_on.status_code == 303
    assert turned_on.headers["Location"] == "/c/demo/leaderboard?region=%E5%8C%85%E5%A4%B4%E5%B8%82"
    cookie = elder_cookie_header(turned_on)
    assert cookie.startswith(f"{ELDER_COOKIE}=1;")
    assert "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    # The very first paint is in the mode: the class is on <html> in the server's answer.
    page = client.get("/c/demo").get_data(as_text=True)
    assert ELDER_HTML.search(page)
    assert 'name="elder" value="0"' in page and 'aria-pressed="true"' in page
    turned_off = switch(client, False)
    assert "Max-Age=0" in elder_cookie_header(turned_off) or "expires=Thu, 01 Jan 1970" in elder_cookie_header(turned_off)
    assert not ELDER_HTML.search(client.get("/c/demo").get_data(as_text=True))


def test_the_script_switch_gets_no_page_back(client, contest):
    response = client.post("/elder-mode", data={"elder": "1", "js": "1", "next": "/c/demo"}, headers={"Origin": ORIGIN})
    assert response.status_code == 204 and response.data == b""
    assert elder_cookie_header(response).startswith(f"{ELDER_COOKIE}=1;")


def test_a_cookie_value_other_than_1_is_the_normal_mode(client, contest):
    client.set_cookie(ELDER_COOKIE, "yes")
    assert not ELDER_HTML.search(client.get("/c/demo").get_data(as_text=True))


@pytest.mark.parametrize("target", ["https://evil.example/c/demo", "//evil.example/c/demo", "/\\evil.example",
                                    "\\\\evil.example", "http:/evil.example", "javascript:alert(1)",
                                    "/c/demo\r\nSet-Cookie: x=1", "c/demo", "", "/" + "a" * 2100])
def test_next_never_leads_off_the_site(client, contest, target):
    response = switch(client, True, target, Referer=f"{ORIGIN}/c/demo/winners")
    assert response.status_code == 303
    # Not where it was asked to go: back to the page the form was on (the Referer, ours).
    assert response.headers["Location"] == "/c/demo/winners"


def test_without_a_usable_next_or_referer_it_goes_to_the_root(client, contest):
    response = switch(client, True, "https://evil.example/", Referer="https://evil.example/page")
    assert (response.status_code, response.headers["Location"]) == (303, "/")


def test_safe_next_keeps_paths_on_this_site_only():
    assert safe_next("/c/demo/play?q=3") == "/c/demo/play?q=3"
    assert safe_next("/c/demo?ch=school-1") == "/c/demo?ch=school-1"
    for bad in ("//x.example", "/\\x.example", "https://x.example/", "/c/\tdemo", None, 5, "x"):
        assert safe_next(bad) is None, bad


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Origin": "http://localhost.evil.example"},
                                     {"Referer": "https://evil.example/c/demo"}, {}])
def test_a_post_from_another_site_changes_nothing(client, contest, headers):
    response = client.post("/elder-mode", data={"elder": "1", "next": "/c/demo"}, headers=headers)
    assert response.status_code == 400
    assert not any(h.startswith(f"{ELDER_COOKIE}=") for h in response.headers.getlist("Set-Cookie"))
    assert "页面已过期" in response.get_data(as_text=True)  # the app's plain message for a refused form
    assert not ELDER_HTML.search(client.get("/c/demo").get_data(as_text=True))


def test_a_same_site_referer_is_enough_without_origin(client, contest):
    response = client.post("/elder-mode", data={"elder": "1", "next": "/c/demo"},
                           headers={"Referer": f"{ORIGIN}/c/demo"})
    assert response.status_code == 303 and elder_cookie_header(response).startswith(f"{ELDER_COOKIE}=1;")


def test_the_cached_landing_page_is_kept_per_mode(app, contest):
    app.config.update(LANDING_CACHE_SECONDS=5, WTF_CSRF_ENABLED=True)
    app.extensions["landing_pages"] = PageCache()
    first_normal, elder, second_normal, second_elder = (app.test_client() for _ in range(4))
    elder.set_cookie(ELDER_COOKIE, "1")
    second_elder.set_cookie(ELDER_COOKIE, "1")
    assert not ELDER_HTML.search(first_normal.get("/c/demo").get_data(as_text=True))  # fills the normal copy
    elder_page = elder.get("/c/demo")
    assert ELDER_HTML.search(elder_page.get_data(as_text=True))  # not the normal copy
    assert not ELDER_HTML.search(second_normal.get("/c/demo").get_data(as_text=True))  # not the elder copy
    again = second_elder.get("/c/demo")
    assert ELDER_HTML.search(again.get_data(as_text=True))
    assert len(app.extensions["landing_pages"]) == 2
    # Served from the cache, each copy still carries its visitor's own token and says what it depends on.
    assert TOKEN.search(again.get_data(as_text=True))[1] != TOKEN.search(elder_page.get_data(as_text=True))[1]
    assert "Cookie" in again.headers["Vary"] and again.headers["Cache-Control"] == "no-store"


def test_the_cached_leaderboard_is_kept_per_mode(app, contest):
    app.config["LEADERBOARD_CACHE_SECONDS"] = 10
    app.extensions["public_responses"] = PageCache()
    normal, elder = app.test_client(), app.test_client()
    elder.set_cookie(ELDER_COOKIE, "1")
    assert not ELDER_HTML.search(normal.get("/c/demo/leaderboard").get_data(as_text=True))
    board = elder.get("/c/demo/leaderboard")
    assert ELDER_HTML.search(board.get_data(as_text=True))
    assert "Cookie" in board.headers["Vary"] and "no-store" not in board.headers.get("Cache-Control", "")
    assert not ELDER_HTML.search(normal.get("/c/demo/leaderboard").get_data(as_text=True))


@pytest.mark.parametrize(("path", "status"), [("/c/demo", 200), ("/c/demo/winners", 200), ("/c/nope", 404),
                                              ("/s/demo/nothing", 404)])
def test_every_page_drawn_from_the_cookie_varies_on_it(client, contest, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert "Cookie" in response.headers.get("Vary", "")
    assert 'action="/elder-mode"' in response.get_data(as_text=True)


def test_the_switch_on_a_page_answering_a_post_leads_back_to_the_form(client, contest):
    # A registration with errors is the answer to a POST: coming back must be a GET of the form's page.
    page = client.post("/c/demo/register", data={"name": "", "phone": "1"}, headers={"Referer": f"{ORIGIN}/c/demo?ch=x"})
    assert page.status_code == 422
    assert 'name="next" value="/c/demo?ch=x"' in page.get_data(as_text=True)
    plain = client.get("/c/demo/leaderboard?region=%E5%8C%85%E5%A4%B4%E5%B8%82").get_data(as_text=True)
    assert 'name="next" value="/c/demo/leaderboard?region=%E5%8C%85%E5%A4%B4%E5%B8%82"' in plain


def test_the_switch_needs_no_session_token_with_csrf_on(app, contest):
    # The leaderboard and the winners' notice are cached whole: the switch on them carries no token.
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert 'name="csrf_token"' not in client.get("/c/demo/leaderboard").get_data(as_text=True)
    assert switch(client, True).status_code == 303
    assert client.post("/elder-mode", data={"elder": "1"}, headers={"Origin": "https://evil.example"}).status_code == 400
