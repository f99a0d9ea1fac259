"""Real threads against the real database: one attempt per double start, one score per submit storm."""

from __future__ import annotations

import threading

from tests.helpers import correct_answers


def run_together(count: int, action):
    """Run `action(i)` in `count` threads released at the same moment; return the results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int):
        barrier.wait()
        results[index] = action(index)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def attempt_rows(app, participant_token=None):
    from quizapp.extensions import db
    from quizapp.models import Attempt

    with app.app_context():
        return db.session.execute(db.select(Attempt)).scalars().all()


def test_two_simultaneous_starts_give_one_attempt(app, api):
    api.register()
    responses = run_together(2, lambda _: app.test_client().post(
        "/api/v1/contests/demo/attempts", headers=api.headers()))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 201]
    assert len({r.get_json()["attempt_id"] for r in responses}) == 1
    assert len(attempt_rows(app)) == 1


def test_twenty_simultaneous_submits_score_once(app, api):
    api.register()
    attempt = api.start().get_json()
    answers = correct_answers(app, attempt["attempt_id"])
    responses = run_together(20, lambda _: app.test_client().post(
        f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={"answers": answers}, headers=api.headers()))
    assert {r.status_code for r in responses} == {200}
    bodies = [r.get_json() for r in responses]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["score"] == 50
    rows = attempt_rows(app)
    assert len(rows) == 1 and rows[0].status == "finished"


def test_parallel_starts_cannot_exceed_the_allowance(app, api):
    api.register()
    for _ in range(2):
        api.submit(api.start().get_json()["attempt_id"])

    def start_and_submit(_):
        client = app.test_client()
        response = client.post("/api/v1/contests/demo/attempts", headers=api.headers())
        if response.status_code in (200, 201):
            client.post(f"/api/v1/attempts/{response.get_json()['attempt_id']}/submit", headers=api.headers())
        return response.status_code

    statuses = run_together(6, start_and_submit)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 429}
    rows = attempt_rows(app)
    assert len(rows) == 3  # attempts_per_day = 3
    assert sorted(row.day_seq for row in rows) == [1, 2, 3]


def test_parallel_registrations_of_one_phone_make_one_participant(app, api):
    body = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True}
    responses = run_together(8, lambda _: app.test_client().post("/api/v1/contests/demo/participants", json=body))
    assert sorted(r.status_code for r in responses).count(201) == 1
    assert len({r.get_json()["participant_id"] for r in responses}) == 1


def test_two_finalize_runs_at_once_close_each_abandoned_round_once(app, api, clock):
    from quizapp.extensions import db
    from quizapp.models import Contest, Participant
    from quizapp.services.attempts import finalize_expired

    for i in range(4):
        api.register(phone=f"1381234567{i}")
        api.start()
    clock.advance(hours=2)  # every round is past its deadline and grace
    with app.app_context():
        contest_id = db.session.execute(db.select(Contest.id).filter_by(slug="demo")).scalar_one()

    def finalize_run(_):
        with app.app_context():
            return finalize_expired(contest_id, clock.now)

    closed = run_together(2, finalize_run)
    assert sum(closed) == 4  # each run reports only what it closed itself
    assert {row.status for row in attempt_rows(app)} == {"finished"}
    with app.app_context():
        finished = db.session.execute(db.select(db.func.sum(Participant.finished_count))).scalar_one()
    assert finished == 4  # the statistics counted each round once
