"""Starting, saving, submitting and the server's clock."""

from tests.helpers import correct_answers, paper_types, wrong_answers


def started(api):
    api.register()
    response = api.start()
    assert response.status_code == 201
    return response.get_json()


def test_second_start_returns_the_running_attempt_with_saved_answers(app, api):
    attempt = started(api)
    key = attempt["questions"][0]["id"]
    choice = correct_answers(app, attempt["attempt_id"])[key]
    api.save(attempt["attempt_id"], key, choice)
    again = api.start()
    assert again.status_code == 200
    body = again.get_json()
    assert body["attempt_id"] == attempt["attempt_id"]
    assert [q["id"] for q in body["questions"]] == [q["id"] for q in attempt["questions"]]
    assert [o["id"] for o in body["questions"][0]["options"]] == [o["id"] for o in attempt["questions"][0]["options"]]
    assert body["answers"] == {key: choice}


def test_saving_again_replaces_the_choice(app, api):
    attempt = started(api)
    key = attempt["questions"][0]["id"]
    options = [o["id"] for o in attempt["questions"][0]["options"]]
    api.save(attempt["attempt_id"], key, [options[0]])
    api.save(attempt["attempt_id"], key, [options[1]])
    assert api.show(attempt["attempt_id"]).get_json()["answers"] == {key: [options[1]]}


def test_option_from_another_question_or_attempt_is_422(app, api):
    attempt = started(api)
    first, second = attempt["questions"][0], attempt["questions"][1]
    response = api.save(attempt["attempt_id"], first["id"], [second["options"][0]["id"]])
    assert response.status_code == 422
    assert "option_ids" in response.get_json()["error"]["fields"]
    api.submit(attempt["attempt_id"])
    other = api.start().get_json()
    stale = api.save(other["attempt_id"], other["questions"][0]["id"], [first["options"][0]["id"]])
    assert stale.status_code == 422


def test_single_choice_refuses_two_options_and_unknown_question_is_404(api):
    attempt = started(api)
    single = next(q for q in attempt["questions"] if q["type"] == "single")
    two = [o["id"] for o in single["options"][:2]]
    assert api.save(attempt["attempt_id"], single["id"], two).status_code == 422
    assert api.save(attempt["attempt_id"], "nosuchq", two).status_code == 404
    assert api.save(attempt["attempt_id"], single["id"], "A").status_code == 422


def test_another_participants_token_gets_404(app, api):
    attempt = started(api)
    intruder = api.register(phone="13900001111", name="李四").get_json()["token"]
    key = attempt["questions"][0]["id"]
    option = attempt["questions"][0]["options"][0]["id"]
    assert api.show(attempt["attempt_id"], token=intruder).status_code == 404
    assert api.save(attempt["attempt_id"], key, [option], token=intruder).status_code == 404
    assert api.submit(attempt["attempt_id"], token=intruder).status_code == 404
    assert api.client.get(f"/api/v1/attempts/{attempt['attempt_id']}").status_code == 401


def test_submit_is_idempotent(app, api):
    attempt = started(api)
    answers = correct_answers(app, attempt["attempt_id"])
    first = api.submit(attempt["attempt_id"], answers).get_json()
    assert first["score"] == 50
    second = api.submit(attempt["attempt_id"], wrong_answers(app, attempt["attempt_id"])).get_json()
    assert second == first
    assert api.show(attempt["attempt_id"]).get_json()["score"] == 50
    key = attempt["questions"][0]["id"]
    closed = api.save(attempt["attempt_id"], key, [attempt["questions"][0]["options"][0]["id"]])
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "attempt_closed"


def test_proportional_partial_credit_and_all_or_nothing(app, api):
    attempt = started(api)
    answers = correct_answers(app, attempt["attempt_id"])
    types = paper_types(attempt)
    multiples = [key for key, kind in types.items() if kind == "multiple"]
    # One multiple answered half right (one of its two correct options): 10 points × 1/2.
    answers[multiples[0]] = answers[multiples[0]][:1]
    # The other with a wrong option added: nothing at all.
    wrong = next(o["id"] for q in attempt["questions"] if q["id"] == multiples[1]
                 for o in q["options"] if o["id"] not in answers[multiples[1]])
    answers[multiples[1]] = answers[multiples[1]] + [wrong]
    result = api.submit(attempt["attempt_id"], answers).get_json()
    assert result["score"] == 35
    assert result["correct_count"] == 6
    by_id = {r["question_id"]: r for r in result["results"]}
    assert by_id[multiples[0]]["correct"] is False and by_id[multiples[0]]["awarded"] == 5
    assert by_id[multiples[1]]["awarded"] == 0


def test_answers_after_deadline_plus_grace_do_not_count(app, api, clock):
    attempt = started(api)
    answers = correct_answers(app, attempt["attempt_id"])
    keys = list(answers)
    api.save(attempt["attempt_id"], keys[0], answers[keys[0]])
    clock.advance(seconds=600 + 4)  # inside the 5 s grace
    assert api.save(attempt["attempt_id"], keys[1], answers[keys[1]]).status_code == 204
    clock.advance(seconds=2)  # past deadline + grace
    late = api.save(attempt["attempt_id"], keys[2], answers[keys[2]])
    assert late.status_code == 409
    result = api.submit(attempt["attempt_id"], answers).get_json()
    assert result["late"] is True
    assert result["correct_count"] == 2
    assert result["duration_seconds"] == 600


def test_abandoned_attempt_is_finalised_without_the_participant(app, api, clock):
    attempt = started(api)
    answers = correct_answers(app, attempt["attempt_id"])
    key = next(iter(answers))
    api.save(attempt["attempt_id"], key, answers[key])
    clock.advance(minutes=30)
    board = api.client.get("/api/v1/contests/demo/leaderboard").get_json()
    assert len(board["entries"]) == 1 and board["entries"][0]["score"] > 0
    from quizapp.extensions import db
    from quizapp.models import Attempt

    with app.app_context():
        stored = db.session.get(Attempt, attempt["attempt_id"])
        assert stored.status == "finished" and stored.running_key is None and stored.late is True


def test_deadline_is_fixed_at_start_and_capped_by_contest_end(app, api, clock):
    from datetime import datetime

    attempt = started(api)
    deadline = datetime.fromisoformat(attempt["deadline"])
    assert (deadline - clock.now).total_seconds() == 600
    api.submit(attempt["attempt_id"])
    clock.now = datetime.fromisoformat("2026-12-15T23:55:00+08:00")
    late_start = api.start().get_json()
    assert late_start["deadline"] == "2026-12-15T23:59:59+08:00"


def test_daily_and_total_allowance(app, api, clock):
    api.register()
    for _ in range(3):
        attempt = api.start().get_json()
        api.submit(attempt["attempt_id"])
    refused = api.start()
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "attempts_exhausted"
    assert api.me().get_json()["attempts_left_today"] == 0
    clock.advance(hours=14)  # 10:00 → 00:00 next day in Asia/Shanghai: a new day there
    for _ in range(2):
        attempt = api.start()
        assert attempt.status_code == 201
        api.submit(attempt.get_json()["attempt_id"])
    assert api.start().get_json()["error"]["code"] == "attempts_exhausted"  # max_attempts = 5
    assert api.me().get_json()["attempts_left_today"] == 0


def test_day_boundary_is_the_contest_time_zone(app, api, clock):
    api.register()
    for _ in range(3):
        api.submit(api.start().get_json()["attempt_id"])
    clock.advance(hours=13, minutes=59)  # 23:59 in Shanghai, still the same day there
    assert api.start().status_code == 429
    clock.advance(minutes=1)
    assert api.start().status_code == 201


def test_start_outside_the_window_is_403(api, clock):
    api.register()
    clock.advance(days=60)
    response = api.start()
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "contest_not_open"


def test_me_reports_attempts_best_score_and_eligibility(app, api):
    attempt = started(api)
    api.submit(attempt["attempt_id"], wrong_answers(app, attempt["attempt_id"]))
    me = api.me().get_json()
    assert me["best_score"] == 0 and me["eligible"] is False and me["entrant_code"] is None
    second = api.start().get_json()
    api.submit(second["attempt_id"], correct_answers(app, second["attempt_id"]))
    me = api.me().get_json()
    assert [a["score"] for a in me["attempts"]] == [0, 50]
    assert me["best_score"] == 50 and me["passed"] is True and me["attempts_left_today"] == 1
    assert me["eligible"] is False and me["draw_status"] == "under_review"  # answered in 0 s: flagged


def test_paper_has_no_repeats_and_follows_the_draw_rules(api):
    attempt = started(api)
    stems = [q["stem"] for q in attempt["questions"]]
    assert len(set(stems)) == 8
    kinds = sorted(q["type"] for q in attempt["questions"])
    assert kinds == ["judge"] * 2 + ["multiple"] * 2 + ["single"] * 4
    judge = next(q for q in attempt["questions"] if q["type"] == "judge")
    assert [o["text"] for o in judge["options"]] == ["正确", "错误"]
