"""Region leaderboards: GET …/leaderboard?region=R (API and page), ranks within the region, 422 for a region
that is not the contest's, a response cache keyed by the region, and the OpenAPI description."""

from __future__ import annotations

import re

import pytest

from quizapp.services.contests import load_contest
from quizapp.web.api.openapi import document
from quizapp.web.public.elder import ELDER_COOKIE
from tests.conftest import contest_definition
from tests.helpers import correct_answers, wrong_answers

SLUG = "tree"
REGIONS = {"通辽市": ["奈曼旗", "科尔沁区"], "包头市": []}
BOARD = f"/api/v1/contests/{SLUG}/leaderboard"
PAGE = f"/c/{SLUG}/leaderboard"


@pytest.fixture
def tree(app, clock, contest):
    """A contest of the sample bank whose regions are 通辽市 → 奈曼旗, 科尔沁区, and 包头市 alone."""
    with app.app_context():
        load_contest(contest_definition(SLUG, regions=REGIONS), clock.now)
    return SLUG


def finish(app, client, clock, phone: str, name: str, region: str, perfect: bool = True, seconds: int = 60):
    """Register in `region`, play one round (all right or all wrong) taking `seconds`, hand it in."""
    body = {"name": name, "phone": phone, "region": region, "consent": True}
    token = client.post(f"/api/v1/contests/{SLUG}/participants", json=body).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    attempt_id = client.post(f"/api/v1/contests/{SLUG}/attempts", headers=headers).get_json()["attempt_id"]
    clock.advance(seconds=seconds)
    answers = (correct_answers if perfect else wrong_answers)(app, attempt_id)
    assert client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": answers},
                       headers=headers).status_code == 200


@pytest.fixture
def players(app, client, clock, tree):
    finish(app, client, clock, "13800000001", "王五", "包头市", seconds=30)
    finish(app, client, clock, "13800000002", "欧阳娜娜", "通辽市/奈曼旗", seconds=90)
    finish(app, client, clock, "13800000003", "赵六", "通辽市/科尔沁区", perfect=False, seconds=10)
    finish(app, client, clock, "13800000004", "孙七", "通辽市/奈曼旗", seconds=40)
    return tree


def rows(client, query: str = "") -> list[tuple]:
    response = client.get(BOARD + query)
    assert response.status_code == 200, response.get_json()
    return [(e["rank"], e["name"], e["region"], e["score"]) for e in response.get_json()["entries"]]


def test_a_region_is_ranked_among_its_own_participants(client, players):
    assert rows(client) == [(1, "王*", "包头市", 50), (2, "孙*", "通辽市/奈曼旗", 50),
                            (3, "欧阳**", "通辽市/奈曼旗", 50), (4, "赵*", "通辽市/科尔沁区", 0)]
    assert rows(client, "?region=通辽市/奈曼旗") == [(1, "孙*", "通辽市/奈曼旗", 50), (2, "欧阳**", "通辽市/奈曼旗", 50)]
    assert rows(client, "?region=包头市") == [(1, "王*", "包头市", 50)]
    assert rows(client, "?region=通辽市/科尔沁区&limit=1") == [(1, "赵*", "通辽市/科尔沁区", 0)]


def test_a_league_city_takes_in_its_counties_and_limit_still_applies(client, players):
    assert rows(client, "?region=通辽市") == [(1, "孙*", "通辽市/奈曼旗", 50), (2, "欧阳**", "通辽市/奈曼旗", 50),
                                             (3, "赵*", "通辽市/科尔沁区", 0)]
    assert rows(client, "?region=通辽市&limit=2") == rows(client, "?region=通辽市")[:2]


def test_a_region_typed_with_spaces_or_a_full_width_slash_is_the_same_region(client, players):
    assert rows(client, "?region= 通辽市 ／ 奈曼旗 ") == rows(client, "?region=通辽市/奈曼旗")
    assert rows(client, "?region=") == rows(client)  # an empty choice is every region


def test_the_entries_keep_the_contract_shape(client, players):
    entries = client.get(BOARD + "?region=通辽市").get_json()["entries"]
    assert entries and all(set(e) == {"rank", "name", "region", "score", "duration_seconds"} for e in entries)
    assert client.get(BOARD + "?region=通辽市").get_json().keys() == {"entries"}


@pytest.mark.parametrize("region", ["呼和浩特市", "奈曼旗", "通辽市/", "包头市/昆都仑区", "x" * 65, "%"])
def test_a_region_that_is_not_the_contests_is_a_422_on_region(client, players, region):
    response = client.get(BOARD, query_string={"region": region})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and set(error["fields"]) == {"region"}
    assert "地区" in error["fields"]["region"]


def test_a_contest_without_regions_refuses_any_region(app, client, clock, contest):
    with app.app_context():
        load_contest(contest_definition("flat", regions=[]), clock.now)
    assert client.get("/api/v1/contests/flat/leaderboard?region=包头市").status_code == 422
    assert client.get("/api/v1/contests/flat/leaderboard").status_code == 200


def test_the_response_cache_is_keyed_by_region(app, client, clock, players):
    app.config["LEADERBOARD_CACHE_SECONDS"] = 60
    county = rows(client, "?region=通辽市/奈曼旗")
    city = rows(client, "?region=包头市")
    assert county != city  # the second region is not served the first one's board
    assert client.get(BOARD + "?region=nowhere").status_code == 422
    finish(app, client, clock, "13800000005", "钱八", "包头市", seconds=5)
    assert rows(client, "?region=包头市") == city  # kept for its few seconds …
    assert client.get(BOARD + "?region=nowhere").status_code == 422  # … while a refusal is never kept
    assert rows(client, "?region=通辽市") != rows(client, "?region=包头市")
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    assert rows(client, "?region=包头市")[0] == (1, "钱*", "包头市", 50)


def test_openapi_describes_the_region_parameter_and_its_422():
    operation = document()["paths"]["/api/v1/contests/{slug}/leaderboard"]["get"]
    region = next(p for p in operation["parameters"] if p["name"] == "region")
    assert region["in"] == "query" and region.get("required") is False
    assert region["schema"] == {"type": "string", "maxLength": 64}
    assert "422" in operation["responses"] and "fields.region" in region["description"]
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200  # the contract's parameter is unchanged


def test_the_page_offers_a_region_selector_that_works_without_javascript(client, players):
    html = client.get(PAGE).get_data(as_text=True)
    form = re.search(r'<form method="get" action="/c/tree/leaderboard"[^>]*>(.*?)</form>', html, re.S)
    assert form, "a plain GET form"
    assert '<label for="board-region">按地区查看</label>' in form.group(1)
    assert '<select id="board-region" name="region"' in form.group(1) and 'type="submit"' in form.group(1)
    assert '<optgroup label="通辽市">' in html and '<option value="通辽市/奈曼旗">奈曼旗</option>' in html
    assert '<option value="" selected>全部地区</option>' in html and "第 4 名" in html


def test_the_page_for_a_region_shows_only_that_region_ranked_within_it(client, players):
    response = client.get(PAGE, query_string={"region": "通辽市/奈曼旗"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="通辽市/奈曼旗" selected>奈曼旗</option>' in html
    assert "排行榜 · 通辽市/奈曼旗" in html and "名次是在本地区参赛者中的排名" in html
    assert "第 1 名</strong> 孙*" in html and "第 2 名</strong> 欧阳**" in html
    assert "王*" not in html and "赵*" not in html and "第 3 名" not in html
    # Entries are whole lines that wrap, not table cells squeezed one character wide at 200 % text.
    assert "<table" not in html and html.count("<li><span><strong>第 ") == 2


def test_the_page_refuses_a_foreign_region_with_a_message_on_the_selector(client, players):
    response = client.get(PAGE, query_string={"region": "呼和浩特市"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="board-region-error"' in html
    assert '<p class="error" id="board-region-error">所选地区不在本次竞赛的地区列表中</p>' in html
    assert "第 1 名" not in html and "还没有人交卷" not in html


def test_the_page_cache_is_keyed_by_region(app, client, clock, players):
    app.config["LEADERBOARD_CACHE_SECONDS"] = 60
    everyone = client.get(PAGE).get_data(as_text=True)
    city = client.get(PAGE, query_string={"region": "包头市"}).get_data(as_text=True)
    assert "第 4 名" in everyone and "第 2 名" not in city and "王*" in city
    assert client.get(PAGE, query_string={"region": "nowhere"}).status_code == 422
    assert client.get(PAGE).get_data(as_text=True) == everyone
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0


def test_the_page_cache_keeps_each_display_mode_apart(app, client, players):
    """长辈模式 is drawn server-side from its cookie: a cached board must not hand one mode's page to the other."""
    app.config["LEADERBOARD_CACHE_SECONDS"] = 60
    for _ in range(2):  # a miss, then a hit from the cache, for each mode in turn
        client.delete_cookie(ELDER_COOKIE)
        plain = client.get(PAGE, query_string={"region": "包头市"})
        client.set_cookie(ELDER_COOKIE, "1")
        elder = client.get(PAGE, query_string={"region": "包头市"})
        assert re.search(r'<html[^>]*class="elder"', elder.get_data(as_text=True))
        assert not re.search(r'<html[^>]*class="elder"', plain.get_data(as_text=True))
        assert all("Cookie" in r.headers.get("Vary", "") for r in (plain, elder))
    assert len(app.extensions["public_responses"]) == 2
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
