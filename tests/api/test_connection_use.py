"""The round's hot requests take one pooled connection at a time (the README's pool sizing counts
servers × workers connections), on both backends, on their usual and their rarer paths."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from quizapp.extensions import db


@pytest.fixture
def checkouts(app):
    """The most connections the app's pool had out at once, since the last reset."""
    state = {"out": 0, "most": 0}
    with app.app_context():
        pool = db.engine.pool

    def took(*_):
        state["out"] += 1
        state["most"] = max(state["most"], state["out"])

    def gave(*_):
        state["out"] -= 1

    event.listen(pool, "checkout", took)
    event.listen(pool, "checkin", gave)
    yield state
    event.remove(pool, "checkout", took)
    event.remove(pool, "checkin", gave)


def _reset(state: dict) -> None:
    state.update(out=0, most=0)


def _first_choice(attempt: dict) -> tuple[str, list[str]]:
    question = attempt["questions"][0]
    return question["id"], [question["options"][0]["id"]]


def test_start_save_and_submit_hold_one_connection_at_a_time(api, checkouts):
    api.register()
    _reset(checkouts)
    attempt = api.start().get_json()
    assert checkouts["most"] == 1 and checkouts["out"] == 0
    _reset(checkouts)
    assert api.save(attempt["attempt_id"], *_first_choice(attempt)).status_code == 204
    assert checkouts["most"] == 1 and checkouts["out"] == 0
    _reset(checkouts)
    assert api.submit(attempt["attempt_id"]).status_code == 200
    assert checkouts["most"] == 1 and checkouts["out"] == 0


def test_the_rarer_paths_hold_one_connection_at_a_time_too(api, checkouts):
    api.register()
    attempt = api.start().get_json()
    _reset(checkouts)
    assert api.start().status_code == 200  # the running round, handed back through the session
    assert checkouts["most"] == 1 and checkouts["out"] == 0
    _reset(checkouts)
    missing = api.save("0" * 32, *_first_choice(attempt))  # not this token's attempt: the 404 is looked up
    assert missing.status_code == 404
    assert checkouts["most"] == 1 and checkouts["out"] == 0
