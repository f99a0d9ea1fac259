"""The round's per-token limit (web/token_limit.py): counted per token and endpoint, a 429 with
Retry-After when over, and in process memory while Redis is away, with one warning."""

from __future__ import annotations

import logging

import pytest

from quizapp.extensions import limiter
from quizapp.web import token_limit
from tests.api.test_faults import UNREACHABLE_REDIS
from tests.api.test_rate_limits import apps, assert_throttled, limited_app, random_phone  # noqa: F401
from tests.conftest import Api


def _started(app) -> tuple[Api, dict]:
    api = Api(app.test_client(), "demo")
    api.register(phone=random_phone())
    return api, api.start().get_json()


def _save(api: Api, attempt: dict):
    question = attempt["questions"][0]
    return api.save(attempt["attempt_id"], question["id"], [question["options"][0]["id"]])


def test_each_endpoint_counts_its_own_requests(database_targets, clock, apps):  # noqa: F811
    app = limited_app(database_targets, clock, RATELIMIT_PER_TOKEN="3 per minute")
    apps.append(app)
    api, attempt = _started(app)  # the start is one request of the start endpoint
    assert [_save(api, attempt).status_code for _ in range(3)] == [204, 204, 204]
    assert_throttled(_save(api, attempt))
    # The submit has its own count, so a participant who saved up to the limit can still hand in.
    assert api.submit(attempt["attempt_id"]).status_code == 200


def test_every_limit_of_the_setting_holds(database_targets, clock, apps):  # noqa: F811
    app = limited_app(database_targets, clock, RATELIMIT_PER_TOKEN="100 per minute;2 per second")
    apps.append(app)
    api, attempt = _started(app)
    statuses = [_save(api, attempt).status_code for _ in range(3)]
    assert statuses[:2] == [204, 204] and statuses[2] == 429


def test_redis_away_falls_back_to_memory_with_one_warning(database_targets, clock, apps, caplog):  # noqa: F811
    app = limited_app(database_targets, clock, RATELIMIT_PER_TOKEN="4 per minute",
                      RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
                      RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2, "socket_timeout": 0.2})
    apps.append(app)
    with app.app_context():
        limiter._storage_dead = True  # registration found Redis away; now it is back, and away again
    api, attempt = _started(app)
    with app.app_context():
        limiter._storage_dead = False
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        statuses = [_save(api, attempt).status_code for _ in range(5)]
    # The round goes on, and the limit still holds, counted in memory.
    assert statuses == [204, 204, 204, 204, 429]
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage() and r.levelno == logging.WARNING]
    assert len(warnings) == 1


def test_storage_is_tried_again_after_a_while(database_targets, clock, apps, monkeypatch):  # noqa: F811
    app = limited_app(database_targets, clock)
    apps.append(app)
    moments = iter([100.0, 102.0, 102.0])
    monkeypatch.setattr(token_limit.time, "monotonic", lambda: next(moments))
    with app.app_context():
        limiter._storage_dead = True
        app.extensions[token_limit._STATE] = {"recheck_at": 101.0}
        token_limit._maybe_recover()  # at 100.0: too soon, nothing tried
        assert limiter._storage_dead
        token_limit._maybe_recover()  # at 101+: memory:// answers the check, so the storage is back
        assert not limiter._storage_dead


@pytest.mark.parametrize("spec", ["240 per minute", "10 per second;240 per minute"])
def test_a_setting_is_parsed_once(spec):
    token_limit._limits.cache_clear()
    first = token_limit._limits(spec)
    assert token_limit._limits(spec) is first
    assert [item.amount for item in first] == [int(part.split()[0]) for part in spec.split(";")]
