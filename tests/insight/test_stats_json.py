"""stats.json (CONTRACT §6) on a contest with known activity, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.conftest import Api
from tests.insight.support import known_activity


def test_totals_count_each_kind_of_activity(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    body = console("organizer").get(f"/admin/contests/{contest}/stats.json").get_json()
    totals = body["totals"]
    assert {k: totals[k] for k in ("scans", "participants", "attempts", "finished", "eligible", "flagged",
                                    "winners")} == {"scans": 0, "participants": 4, "attempts": 4, "finished": 2,
                                                    "eligible": 2, "flagged": 0, "winners": 0}
    assert totals["completion_rate"] == 0.5
    assert totals["average_score"] == 45.0  # best scores 50 and 40
    assert totals["average_duration_seconds"] == 120


def test_regions_ranked_with_best_score_average(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    body = console("organizer").get(f"/admin/contests/{contest}/stats.json").get_json()
    assert body["by_region"] == [
        {"region": "包头市", "participants": 3, "finished": 1, "eligible": 1, "average_score": 50.0},
        {"region": "呼和浩特市", "participants": 1, "finished": 1, "eligible": 1, "average_score": 40.0},
    ]


def test_score_bands_cover_zero_to_max_and_count_best_scores_once(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    bands = console("organizer").get(f"/admin/contests/{contest}/stats.json").get_json()["score_bands"]
    assert bands[0]["from"] == 0 and bands[-1]["to"] == 50
    assert all(a["to"] + 1 == b["from"] for a, b in zip(bands, bands[1:], strict=False))
    counted = {(b["from"], b["to"]): b["count"] for b in bands if b["count"]}
    assert counted == {(40, 44): 1, (45, 50): 1}  # P2's 0 is not counted: only the best score is


def test_days_count_registrations_and_first_finish_in_contest_time_zone(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)  # T0 is 10:00 on 2026-11-20 in Asia/Shanghai
    clock.advance(hours=16)  # the rounds took 6 minutes: now 02:06 on the 21st local time, still the 20th in UTC
    late = Api(app.test_client(), contest)
    late.register("13800000005", "王五", "包头市")
    body = console("organizer").get(f"/admin/contests/{contest}/stats.json").get_json()
    days = {d["day"]: (d["participants"], d["finished"]) for d in body["by_day"]}
    assert days["2026-11-20"] == (4, 2)
    assert days["2026-11-21"] == (1, 0)
    assert days["2026-11-15"] == (0, 0)  # the window's days are listed even without activity
    hours = {h["hour"]: h["participants"] for h in body["by_hour"] if h["participants"]}
    assert hours == {10: 4, 2: 1}


def test_channel_funnel_with_scans_and_no_channel_row(app, contest, clock, console):
    client = app.test_client()
    known_activity(client, contest, clock)
    with app.app_context():
        from quizapp.services.channels import add_channel, get_channel, record_scan
        from quizapp.services.contests import get_contest

        add_channel(contest, "poster1", "校园海报", clock.now)
        found = get_contest(contest)
        for visitor in ("a", "b", "c", "d"):
            record_scan(found, get_channel(found, "poster1"), visitor, clock.now)
    body = console("staff").get(f"/admin/contests/{contest}/stats.json").get_json()
    rows = {row["code"]: row for row in body["by_channel"]}
    poster = rows["poster1"]
    assert (poster["name"], poster["scans"], poster["participants"], poster["finished"], poster["eligible"]) == \
        ("校园海报", 4, 2, 1, 1)
    assert poster["conversion"]["registered"] == 0.5
    assert rows[None]["participants"] == 2 and rows[None]["finished"] == 1
    assert body["totals"]["scans"] == 4


def test_an_uncleared_flag_or_an_exclusion_removes_eligibility(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    with app.app_context():
        from quizapp.services.eligibility import exclude_phones

        exclude_phones(contest, "13800000002", "test", clock.now)
    body = console("organizer").get(f"/admin/contests/{contest}/stats.json").get_json()
    assert body["totals"]["eligible"] == 1
    assert {r["region"]: r["eligible"] for r in body["by_region"]} == {"包头市": 1, "呼和浩特市": 0}


def test_region_scoped_account_sees_only_its_region(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    body = console("organizer", region="呼和浩特市").get(f"/admin/contests/{contest}/stats.json").get_json()
    assert body["scope"] == "呼和浩特市"
    assert [r["region"] for r in body["by_region"]] == ["呼和浩特市"]
    assert (body["totals"]["participants"], body["totals"]["attempts"], body["totals"]["finished"]) == (1, 2, 1)
    assert sum(b["count"] for b in body["score_bands"]) == 1


def test_anonymous_json_gets_401_and_unknown_contest_404(app, contest, console):
    assert app.test_client().get(f"/admin/contests/{contest}/stats.json").status_code == 401
    assert console("staff").get("/admin/contests/nope/stats.json").status_code == 404
