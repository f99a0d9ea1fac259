"""The sign-in throttle in Redis (shared by every server) and its fallback when Redis is down."""

from __future__ import annotations

import logging
import os
import secrets

import pytest

from quizapp.extensions import db
from quizapp.models import LoginThrottle
from tests.admin.conftest import PASSWORD, make_account, sign_in
from tests.conftest import make_app

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
def test_failures_are_counted_in_redis_across_servers(database_targets, clock):
    username = "r" + secrets.token_hex(6)  # Redis outlives the test: a fresh name per run
    first = make_app(database_targets["sqlite"], clock, REDIS_URL=REDIS_URL)
    make_account(first, username, "organizer")
    second = make_app(database_targets["sqlite"], clock, REDIS_URL=REDIS_URL)
    make_account(second, username, "organizer")
    for number in range(10):
        sign_in((first if number % 2 else second).test_client(), username, "wrong password")
    assert sign_in(first.test_client(), username, PASSWORD).status_code == 429
    with first.app_context():
        assert db.session.execute(db.select(LoginThrottle)).first() is None  # nothing in the database
    clock.advance(minutes=15)
    assert sign_in(second.test_client(), username, PASSWORD).status_code == 302


def test_unreachable_redis_falls_back_to_the_database(database_targets, clock, caplog):
    app = make_app(database_targets["sqlite"], clock, REDIS_URL="redis://127.0.0.1:1/0")
    make_account(app, "alice", "organizer")
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        for _ in range(10):
            assert sign_in(client, "alice", "wrong password").status_code == 200
    assert sum("Redis unreachable" in r.getMessage() for r in caplog.records) == 1
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.get(LoginThrottle, "user:alice").failures == 10
