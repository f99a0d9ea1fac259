"""预览: an organizer takes the round as a participant would; it is stored apart and counts nowhere."""

from __future__ import annotations

import re

from quizapp.extensions import db
from quizapp.models import Attempt, Participant, PreviewAttempt
from quizapp.services.question_cache import questions as question_cache
from tests.admin.contests_helpers import contest_row
from tests.conftest import Api, contest_definition


def start(client, slug: str = "demo") -> str:
    """Start a preview and return its paper page."""
    response = client.post(f"/admin/contests/{slug}/preview", data={})
    assert response.status_code == 302
    return client.get(f"/admin/contests/{slug}/preview").get_data(as_text=True)


def paper_of(html: str) -> tuple[str, dict[str, list[str]]]:
    """The submit URL and each question's option ids, in page order."""
    action = re.search(r'action="(/admin/contests/[^"]+/submit)"', html).group(1)
    options: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="q-([a-z2-7]+)" value="([a-z2-7]+)"', html):
        options.setdefault(name, []).append(value)
    return action, options


def correct_choices(app, preview_id: str) -> dict[str, list[str]]:
    """The right option ids of each question of a stored preview (read from the bank, as scoring does)."""
    with app.app_context():
        preview = db.session.get(PreviewAttempt, preview_id)
        records = question_cache.get_many([item["question_id"] for item in preview.paper])
        return {item["key"]: [oid for oid, idx in zip(item["option_ids"], item["option_index"], strict=True)
                              if idx in records[item["question_id"]].answer] for item in preview.paper}


def test_a_preview_round_shows_the_paper_and_a_result_with_explanations(console, contest, app):
    client = console("organizer")
    landing = client.get("/admin/contests/demo/preview").get_data(as_text=True)
    assert "预览模式：不计入成绩" in landing and "开始预览" in landing
    html = start(client)
    assert "预览模式：不计入成绩" in html
    action, options = paper_of(html)
    assert len(options) == 8  # 4 single, 2 multiple, 2 judge, as participants get
    assert html.count('type="checkbox" name="q-') == 2 * 4 and html.count('type="radio" name="q-') == 4 * 4 + 2 * 2
    preview_id = action.split("/")[-2]
    right = correct_choices(app, preview_id)
    keys = list(options)
    answers = {f"q-{keys[0]}": right[keys[0]], f"q-{keys[1]}": [o for o in options[keys[1]] if o not in right[keys[1]]][:1]}
    result = client.post(action, data=answers)
    assert result.status_code == 302
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "预览模式：不计入成绩" in page and "预览结果" in page
    assert page.count("✓ 答对") >= 1 and page.count("✗ 答错") >= 1 and page.count("✗ 未作答") >= 5
    assert "解析 " in page or "多选解析" in page or "判断解析" in page
    assert "《中华人民共和国药品管理法》" in page or "国家药监局" in page
    with app.app_context():
        stored = db.session.get(PreviewAttempt, preview_id)
        assert stored.submitted_at is not None and stored.results["correct_count"] >= 1
        assert stored.results["max_score"] == 50
    # Handing in twice changes nothing.
    assert client.post(action, data={f"q-{k}": v for k, v in right.items()}).status_code == 302
    with app.app_context():
        assert db.session.get(PreviewAttempt, preview_id).results == stored.results


def test_the_preview_counts_nowhere(console, contest, app, clock):
    api = Api(app.test_client(), "demo")
    assert api.register(phone="13800000001").status_code == 201
    attempt = api.start().get_json()
    api.client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={}, headers=api.headers())
    me_before = api.client.get("/api/v1/contests/demo/me", headers=api.headers()).get_json()
    board_before = api.client.get("/api/v1/contests/demo/leaderboard").get_json()
    organizer = console("organizer")
    listing_before = organizer.get("/admin/contests").get_data(as_text=True).split('id="contest-demo"')[1]

    for _ in range(2):  # two full-marks previews
        action, options = paper_of(start(organizer))
        right = correct_choices(app, action.split("/")[-2])
        assert organizer.post(action, data={f"q-{k}": v for k, v in right.items()}).status_code == 302

    assert api.client.get("/api/v1/contests/demo/me", headers=api.headers()).get_json() == me_before
    assert api.client.get("/api/v1/contests/demo/leaderboard").get_json() == board_before
    assert organizer.get("/admin/contests").get_data(as_text=True).split('id="contest-demo"')[1] == listing_before
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Attempt)).scalar_one() == 1
        assert db.session.execute(db.select(db.func.count()).select_from(Participant)).scalar_one() == 1
        assert db.session.execute(db.select(db.func.count()).select_from(PreviewAttempt)).scalar_one() == 1  # replaced
    # The participant's allowance is untouched: they can still start their next attempt today.
    assert api.start().status_code == 201


def test_a_preview_works_before_the_contest_opens_and_after_it_closes(console, contest, app, clock):
    from quizapp.services.contests import load_contest

    windows = {"later": ("2027-01-01T00:00:00+08:00", "2027-02-01T00:00:00+08:00", "未开始"),
               "earlier": ("2026-01-01T00:00:00+08:00", "2026-02-01T00:00:00+08:00", "已结束")}
    with app.app_context():
        for slug, (starts_at, ends_at, _) in windows.items():
            load_contest(contest_definition(slug, starts_at=starts_at, ends_at=ends_at), clock.now)
    client = console("admin")
    for slug, (_, _, status) in windows.items():
        html = start(client, slug)
        assert len(paper_of(html)[1]) == 8 and f"当前状态：{status}" in html
        assert Api(app.test_client(), slug).register().status_code == 403  # participants are still kept out


def test_a_late_preview_scores_nothing(console, contest, app, clock):
    client = console("organizer")
    action, options = paper_of(start(client))
    right = correct_choices(app, action.split("/")[-2])
    clock.advance(seconds=600 + 6)  # past the limit and the 5 s grace
    result = client.post(action, data={f"q-{k}": v for k, v in right.items()})
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "超过时限才交卷" in page and "0 / 50" in page


def test_a_preview_whose_time_ran_out_is_closed_when_reopened(console, contest, app, clock):
    client = console("organizer")
    start(client)
    clock.advance(minutes=20)
    html = client.get("/admin/contests/demo/preview").get_data(as_text=True)
    assert "重新抽一份试卷" in html and "查看上次预览的结果" in html


def test_another_account_cannot_open_my_preview(console, contest, app):
    mine = console("organizer")
    action, _ = paper_of(start(mine))
    preview_id = action.split("/")[-2]
    other = console("organizer")
    assert other.get(f"/admin/contests/demo/preview/{preview_id}").status_code == 404
    assert other.post(action, data={}).status_code == 404
    assert "开始预览" in other.get("/admin/contests/demo/preview").get_data(as_text=True)


def test_a_foreign_option_is_refused_and_nothing_is_scored(console, contest, app):
    client = console("organizer")
    action, options = paper_of(start(client))
    first = next(iter(options))
    response = client.post(action, data={f"q-{first}": "zzzzzzzzzz"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/contests/demo/preview")
    assert "选项不属于这道题" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PreviewAttempt, action.split("/")[-2]).submitted_at is None


def test_a_preview_that_cannot_be_drawn_says_why(console, contest, app):
    with app.app_context():
        from quizapp.models import Question

        db.session.execute(db.delete(Question).where(Question.type == "judge"))
        db.session.commit()
    client = console("organizer")
    response = client.post("/admin/contests/demo/preview", data={})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "无法抽出预览试卷" in page and "判断题不足" in page
    assert contest_row(app, "demo") is not None
