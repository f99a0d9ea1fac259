"""A whole round through the API: register, start, answer, submit, record, leaderboard."""

from tests.helpers import correct_answers


def test_full_round_scores_every_answer(app, api):
    assert api.register().status_code == 201
    started = api.start()
    assert started.status_code == 201
    attempt = started.get_json()
    assert len(attempt["questions"]) == 8
    answers = correct_answers(app, attempt["attempt_id"])
    for key, option_ids in answers.items():
        assert api.save(attempt["attempt_id"], key, option_ids).status_code == 204
    result = api.submit(attempt["attempt_id"])
    assert result.status_code == 200
    body = result.get_json()
    assert body["score"] == 50 and body["max_score"] == 50 and body["correct_count"] == 8
    assert body["eligible"] is True and body["late"] is False
    assert all(r["explanation"] and r["source"] for r in body["results"])
    me = api.me().get_json()
    assert me["best_score"] == 50 and me["passed"] is True and me["attempts_left_today"] == 2
    # Every answer came in the second the round started: flagged, so `me` is not eligible, as the draw.
    assert me["eligible"] is False and me["draw_status"] == "under_review" and me["entrant_code"] is None
    board = api.client.get("/api/v1/contests/demo/leaderboard").get_json()
    assert board["entries"] == [{"rank": 1, "name": "张*", "region": "包头市", "score": 50.0, "duration_seconds": 0}]
