"""The insight migration folds the attempts of a contest that is already running into the totals."""

from __future__ import annotations

import json

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import T0, Clock, contest_definition, sample_bank
from tests.insight.support import known_activity

BEFORE_INSIGHT = "94e036a317a3"


def _figures(app, now):
    from quizapp.services.contests import get_contest
    from quizapp.services.insight import contest_stats
    from quizapp.services.item_analysis import items_document

    with app.app_context():
        contest = get_contest("demo")
        stats = contest_stats(contest, now)
        stats.pop("generated_at")
        return stats, items_document(contest)


def test_downgrade_then_upgrade_rebuilds_the_same_figures(tmp_path):
    clock = Clock(T0)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'mig.sqlite3'}", "TESTING": True,
                      "SECRET_KEY": "test", "CLOCK": clock, "RATELIMIT_ENABLED": False, "QUESTION_CACHE_SECONDS": 0,
                      "POOL_CACHE_SECONDS": 0})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        from quizapp.services.banks import import_bank_bytes
        from quizapp.services.contests import load_contest

        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    known_activity(app.test_client(), "demo", clock)
    stats, items = _figures(app, clock())
    assert stats["totals"]["finished"] == 2 and len(items["items"]) > 0

    down = runner.invoke(args=["db", "downgrade", BEFORE_INSIGHT])
    assert down.exit_code == 0, down.output
    with app.app_context():
        assert "item_tally" not in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert _figures(app, clock()) == (stats, items)
    with app.app_context():
        db.engine.dispose()
