"""An answer saved while the paper is handed in either counts in the result or is refused (409):
never a 204 that does not count. Real threads on the real database, both backends."""

from __future__ import annotations

import threading

import pytest

from quizapp.extensions import db
from quizapp.services import attempts
from quizapp.services.participants import hash_token
from tests.api.test_concurrency import run_together


def _choices(attempt: dict) -> dict[str, str]:
    """The first option of every question of a started attempt."""
    return {q["id"]: q["options"][0]["id"] for q in attempt["questions"]}


def test_a_save_after_the_submit_committed_is_a_409(api):
    api.register()
    attempt = api.start().get_json()
    assert api.submit(attempt["attempt_id"]).status_code == 200
    question = attempt["questions"][0]
    response = api.save(attempt["attempt_id"], question["id"], [question["options"][0]["id"]])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "attempt_closed"


def test_a_save_that_read_the_attempt_before_the_submit_is_refused(app, api, clock):
    """The interleaving of the race, made deterministic: the save's request has already read the
    attempt as running when the submit commits; its write must then see the attempt closed."""
    api.register()
    attempt = api.start().get_json()
    question = attempt["questions"][0]
    with app.app_context():
        stale = attempts.attempt_for_token(hash_token(api.token), attempt["attempt_id"])
        assert stale.status == "running"
        db.session.commit()  # the save's read is over; the submit runs in another request meanwhile
        submitted = threading.Thread(target=lambda: api.submit(attempt["attempt_id"]))
        submitted.start()
        submitted.join(timeout=30)
        with pytest.raises(attempts.AttemptClosed):
            attempts.save_answer(stale, question["id"], [question["options"][0]["id"]], clock.now)
    result = api.show(attempt["attempt_id"]).get_json()
    assert result["status"] == "finished"
    assert all(not item["chosen_option_ids"] for item in result["results"])


@pytest.mark.parametrize("round_number", range(4))
def test_saves_racing_a_submit_either_count_or_get_409(app, api, round_number):
    api.register(phone=f"1381234{round_number:04d}")
    attempt = api.start().get_json()
    choices = _choices(attempt)
    keys = list(choices)
    # One thread hands in while the others save one question each, all released together.
    submitter = len(keys) // 2

    def act(index: int):
        client = app.test_client()
        headers = api.headers()
        if index == submitter:
            return client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json={}, headers=headers)
        return client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers/{keys[index]}",
                          json={"option_ids": [choices[keys[index]]]}, headers=headers)

    responses = run_together(len(keys), act)
    assert responses[submitter].status_code == 200
    result = {item["question_id"]: item["chosen_option_ids"] for item in responses[submitter].get_json()["results"]}
    for index, response in enumerate(responses):
        if index == submitter:
            continue
        assert response.status_code in (204, 409), response.get_data(as_text=True)
        counted = result[keys[index]] == [choices[keys[index]]]
        # A 204 is a promise that the answer counts; a 409 that it does not.
        assert counted == (response.status_code == 204), (index, response.status_code, result[keys[index]])
