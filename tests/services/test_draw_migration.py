"""The console-draw migration keeps every attempt and leaves draws run before it published."""

from __future__ import annotations

import json

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Attempt, Participant, PrizeDraw
from tests.conftest import T0, Clock, contest_definition, sample_bank
from tests.services.test_draw_support import AFTER_END, phone, play

BEFORE_CONSOLE_DRAW = "759255e56da8"


def test_a_draw_run_before_the_migration_stays_public(tmp_path):
    clock = Clock(T0)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'mig.sqlite3'}", "TESTING": True,
                      "SECRET_KEY": "test", "CLOCK": clock, "RATELIMIT_ENABLED": False, "QUESTION_CACHE_SECONDS": 0,
                      "POOL_CACHE_SECONDS": 0, "LEADERBOARD_CACHE_SECONDS": 0})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        from quizapp.services.banks import import_bank_bytes
        from quizapp.services.contests import load_contest

        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    client = app.test_client()
    for i in range(3):
        play(app, client, clock, phone(i))
    clock.now = AFTER_END
    assert runner.invoke(args=["draw", "commit", "demo"]).exit_code == 0
    assert runner.invoke(args=["draw", "run", "demo", "--public-entropy", "582"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()

    assert runner.invoke(args=["db", "downgrade", BEFORE_CONSOLE_DRAW]).exit_code == 0
    with app.app_context():  # as the old code stored it: a 32-character digest of address and browser
        db.session.execute(db.text("UPDATE participant SET client_hash = :old WHERE id = 1"), {"old": "ab" * 16})
        db.session.execute(db.text("UPDATE participant SET client_hash = :new WHERE id = 2"), {"new": "cd" * 32})
        db.session.commit()
        db.engine.dispose()
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    with app.app_context():
        drawn = db.session.execute(db.select(PrizeDraw)).scalar_one()
        assert drawn.published_at == drawn.revealed_at and drawn.published_by == "migration"
        assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar_one() == 3
        hashes = dict(db.session.execute(db.select(Participant.id, Participant.client_hash)).all())
        assert hashes[1] is None and hashes[2] == "cd" * 32
        db.engine.dispose()
    notice = client.get("/api/v1/contests/demo/winners").get_json()
    assert notice["state"] == "published" and len(notice["winners"]) == 3
