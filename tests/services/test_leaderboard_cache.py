"""A worker may reuse a leaderboard for a few seconds; with no ttl every read is fresh."""

from quizapp.extensions import db
from quizapp.models import Contest
from quizapp.services import standings
from tests.helpers import correct_answers


def board_after_one_round(app, api, clock, ttl: float, phone: str) -> tuple[dict, dict]:
    """The board read before and after another participant finishes a round."""
    with app.app_context():
        contest = db.session.execute(db.select(Contest)).scalar_one()
        before = standings.leaderboard(contest, 10, clock.now, ttl=ttl)
    api.register(phone=phone)
    attempt = api.start().get_json()
    api.submit(attempt["attempt_id"], correct_answers(app, attempt["attempt_id"]))
    with app.app_context():
        contest = db.session.execute(db.select(Contest)).scalar_one()
        after = standings.leaderboard(contest, 10, clock.now, ttl=ttl)
    return before, after


def test_a_cached_board_is_reused_within_its_ttl(app, api, clock):
    standings._board_cache.clear()
    before, after = board_after_one_round(app, api, clock, ttl=60, phone="13800000001")
    assert before == after == {"entries": []}
    standings._board_cache.clear()


def test_without_ttl_the_board_is_fresh(app, api, clock):
    standings._board_cache.clear()
    before, after = board_after_one_round(app, api, clock, ttl=0, phone="13800000002")
    assert before == {"entries": []} and len(after["entries"]) == 1
