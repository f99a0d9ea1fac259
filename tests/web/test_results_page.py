"""The result page after submit: summary first, the wrong-only filter, 再答一次 / 我的成绩 at both ends and why
a retry is not offered; and the page for an unknown contest, which must not link back to itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from quizapp.services.contests import load_contest
from tests.conftest import contest_definition
from tests.helpers import correct_answers, wrong_answers

REVIEW_ITEM = re.compile(r'<li class="card (right|wrong)">\s*<h3>第 (\d+) 题')


def sign_up(client, slug: str, phone: str = "13812345678") -> str:
    """Register through the API and leave the token in the session, as the registration form does."""
    body = {"name": "张三", "phone": phone, "region": "包头市", "consent": True}
    response = client.post(f"/api/v1/contests/{slug}/participants", json=body)
    assert response.status_code == 201, response.get_json()
    token = response.get_json()["token"]
    with client.session_transaction() as session:
        session["tokens"] = {slug: token}
    return token


def finish(app, client, clock, slug: str, token: str, wrong: int = 0, blank: int = 0) -> dict:
    """Start and hand in a round: the first `wrong` questions answered wrongly, the next `blank` left out,
    the rest right; returns the API's result."""
    headers = {"Authorization": f"Bearer {token}"}
    started = client.post(f"/api/v1/contests/{slug}/attempts", headers=headers).get_json()
    attempt_id = started["attempt_id"]
    order = [q["id"] for q in started["questions"]]
    right, bad = correct_answers(app, attempt_id), wrong_answers(app, attempt_id)
    answers = {key: bad[key] if n < wrong else right[key] for n, key in enumerate(order) if not wrong <= n < wrong + blank}
    clock.advance(seconds=125)
    result = client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": answers}, headers=headers)
    assert result.status_code == 200, result.get_json()
    return result.get_json()


def result_page(client, slug: str, attempt_id: str, query: str = "") -> str:
    response = client.get(f"/c/{slug}/result/{attempt_id}{query}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def test_summary_comes_first_with_right_wrong_time_and_the_draw(app, client, clock, contest):
    result = finish(app, client, clock, contest, sign_up(client, contest), wrong=1, blank=1)
    html = result_page(client, contest, result["attempt_id"])
    summary = html[:html.index('id="review-title"')]
    assert f"<strong>{result['score']:g}</strong> / 50" in summary
    assert "答对 6 / 8 题" in summary and "答错 2 题" in summary and "（其中未作答 1 题）" in summary
    assert "用时 2分05秒" in summary
    # 6 right of 8 is 40 points at 5/10/5 each at most; either way the page says whether the draw is reached.
    assert ("获得抽奖资格" in summary) == (result["score"] >= 30) and "30 分" in summary
    assert not REVIEW_ITEM.search(summary)  # no question before the summary ends


def test_retry_and_my_record_are_at_the_top_and_the_bottom(app, client, clock, contest):
    result = finish(app, client, clock, contest, sign_up(client, contest), wrong=2)
    html = result_page(client, contest, result["attempt_id"])
    first_question, last_question = html.index("第 1 题"), html.rindex("第 8 题")
    for label in ("再答一次（今天还可以答 2 次）", 'href="/c/demo/me"'):
        spots = [m.start() for m in re.finditer(re.escape(label), html)]
        assert len(spots) >= 2, label
        assert spots[0] < first_question and spots[-1] > last_question, label
    assert html.count('action="/c/demo/start"') == 2 and html.count('name="csrf_token"') == 2
    assert html.count('href="/c/demo/practice"') == 2  # practice (不计成绩) is offered at both ends too


def test_wrong_only_shows_just_the_wrong_ones_under_their_paper_numbers(app, client, clock, contest):
    result = finish(app, client, clock, contest, sign_up(client, contest), wrong=2, blank=1)
    expected = [n for n, r in enumerate(result["results"], start=1) if not r["correct"]]
    assert len(expected) == 3
    everything = REVIEW_ITEM.findall(result_page(client, contest, result["attempt_id"]))
    assert [int(n) for _, n in everything] == list(range(1, 9))
    html = result_page(client, contest, result["attempt_id"], "?wrong=1")
    shown = REVIEW_ITEM.findall(html)
    assert shown == [("wrong", str(n)) for n in expected]
    assert "✓ 答对" not in html and "只看答错的题（3）" in html and "全部题目（8）" in html
    # The filter is two links (no JavaScript needed); the one in force is marked for screen readers.
    current = re.findall(r'<a class="button primary" href="([^"]+)" aria-current="page">', html)
    assert current == [f"/c/demo/result/{result['attempt_id']}?wrong=1"]
    back = re.search(rf'<a class="button" href="(/c/demo/result/{result["attempt_id"]})">全部题目', html)
    assert back is not None
    assert "答错的题</h2>" in html and "正确答案" in html and "解析" in html


def test_wrong_only_after_a_perfect_round_says_there_are_none(app, client, clock, contest):
    result = finish(app, client, clock, contest, sign_up(client, contest))
    html = result_page(client, contest, result["attempt_id"], "?wrong=1")
    assert "本次全部答对，没有答错的题。" in html and not REVIEW_ITEM.search(html)
    assert "答错 0 题" in html


@pytest.mark.parametrize(("overrides", "moment", "reason"), [
    ({"attempts_per_day": 1}, None, "今天的 1 次答题机会已用完，明天可以再来。"),
    ({"attempts_per_day": 3, "max_attempts": 1}, None, "您已用完全部 1 次答题机会。"),
    # 2026-12-15 10:00 in Shanghai, the contest's last day: no "tomorrow" to promise.
    ({"attempts_per_day": 1}, datetime(2026, 12, 15, 2, 0, tzinfo=UTC), "今天的 1 次答题机会已用完，竞赛今天结束。"),
])
def test_without_attempts_left_the_page_says_why_instead_of_offering_a_retry(app, client, clock, contest,
                                                                             overrides, moment, reason):
    clock.now = moment or clock.now
    with app.app_context():
        load_contest(contest_definition("tight", **overrides), clock.now)
    result = finish(app, client, clock, "tight", sign_up(client, "tight"))
    html = result_page(client, "tight", result["attempt_id"])
    assert "再答一次（" not in html and 'action="/c/tight/start"' not in html
    assert html.count("不能再答一次：" + reason) == 2  # at the top and at the bottom
    assert html.count('href="/c/tight/me"') >= 2


def test_after_the_contest_ended_the_result_says_so(app, client, clock, contest):
    result = finish(app, client, clock, contest, sign_up(client, contest))
    clock.now = datetime(2026, 12, 16, 0, 0, tzinfo=UTC)
    html = result_page(client, contest, result["attempt_id"])
    assert "不能再答一次：竞赛已结束，不能再答题。" in html and "再答一次（" not in html


def test_unknown_contest_page_does_not_link_to_itself(client, contest):
    for path in ("/c/nope", "/c/nope/leaderboard", "/c/nope/winners"):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.get_data(as_text=True)
        assert "竞赛“nope”不存在" in html and "重新扫描" in html, path
        assert 'href="/c/nope' not in html, path  # its landing page is this very 404
        assert "返回竞赛首页" not in html, path


def test_a_missing_page_of_a_real_contest_still_leads_to_its_landing_page(client, contest):
    response = client.get("/c/demo/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'href="/c/demo"' in html and "返回竞赛首页" in html and "重新扫描" not in html
