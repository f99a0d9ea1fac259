"""/readyz: 200 only when the database is writable and Redis (if configured) answers; never cached,
never rate-limited, silent in the log on success, and never naming a URL or a password."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

import pytest
import redis

from tests.api.test_outages import UNREACHABLE_POSTGRES, bare_app, dispose, read_only_app
from tests.conftest import make_app

UNREACHABLE_REDIS = "redis://:redis-pw@127.0.0.1:1/0"  # nothing listens on port 1
LOCAL_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
needs_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")


def redis_reachable(url: str) -> bool:
    """Whether a Redis answers PING at `url` within half a second."""
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def probe(app):
    """GET /readyz and check what every answer has: JSON, no-store, nothing secret."""
    response = app.test_client().get("/readyz")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    for secret in ("s3cret-pw", "redis-pw", "127.0.0.1", "postgresql", "sqlite", "Traceback"):
        assert secret not in body
    return response


def assert_unavailable(response, **checks) -> None:
    """A 503 with Retry-After whose checks say which dependency failed."""
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["status"] == "unavailable"
    for name, state in checks.items():
        assert body["checks"][name] == state, body


def test_ready_when_the_database_answers_and_no_redis_is_configured(app):
    response = probe(app)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not_configured"}}
    assert "Retry-After" not in response.headers


def test_ready_with_a_reachable_redis(database_targets, clock):
    if not redis_reachable(LOCAL_REDIS):
        pytest.skip(f"no Redis at {LOCAL_REDIS}")
    app = make_app(database_targets["sqlite"], clock, REDIS_URL=LOCAL_REDIS)
    try:
        first, second = probe(app), probe(app)
    finally:
        dispose(app)
    assert first.status_code == second.status_code == 200
    assert second.get_json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_not_ready_when_the_database_is_unreachable(backend, tmp_path, clock, caplog):
    caplog.set_level(logging.INFO)
    url = UNREACHABLE_POSTGRES if backend == "postgresql" else f"sqlite:///{tmp_path}/gone/quiz.sqlite3"
    app = bare_app(url, {}, clock)
    try:
        response = probe(app)
    finally:
        dispose(app)
    assert_unavailable(response, database="error", redis="not_configured")
    assert "s3cret-pw" not in caplog.text
    # A failing probe is worth a line; no traceback.
    assert any(r.name == "quizapp.request" and r.status == 503 for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]


def test_not_ready_when_the_configured_redis_is_unreachable(database_targets, clock, caplog):
    app = make_app(database_targets["sqlite"], clock, REDIS_URL=UNREACHABLE_REDIS)
    started = time.monotonic()
    try:
        response = probe(app)
    finally:
        dispose(app)
    assert time.monotonic() - started < 3  # a short socket timeout, not the client's default
    assert_unavailable(response, database="ok", redis="error")
    assert "redis-pw" not in caplog.text


def test_a_redis_that_accepts_but_never_answers_fails_within_the_short_timeout(database_targets, clock):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever reads or replies
    app = make_app(database_targets["sqlite"], clock, REDIS_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    answers = []
    worker = threading.Thread(target=lambda: answers.append(probe(app)), daemon=True)
    started = time.monotonic()
    try:
        worker.start()
        worker.join(timeout=5)  # without a socket timeout PING would wait forever
        assert not worker.is_alive(), "the readiness probe hung on a silent Redis"
    finally:
        silent.close()
        dispose(app)
    assert time.monotonic() - started < 3
    assert_unavailable(answers[0], database="ok", redis="error")


@pytest.mark.parametrize("kind", ["sqlite-query-only", "sqlite-ro-file", pytest.param("postgresql", marks=needs_postgres)])
def test_not_ready_when_the_database_is_read_only(kind, database_targets, clock):
    backend = "postgresql" if kind == "postgresql" else "sqlite"
    writable = make_app(database_targets[backend], clock)
    app = read_only_app(kind, database_targets, clock)
    try:
        assert probe(writable).status_code == 200  # the same database, writable: ready
        response = probe(app)
    finally:
        dispose(app, writable)
    assert_unavailable(response, database="read_only")


def test_not_rate_limited_while_other_routes_are(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    try:
        statuses = [probe(app).status_code for _ in range(5)]
        control = [app.test_client().get("/healthz").status_code for _ in range(3)]
    finally:
        dispose(app)
    assert statuses == [200] * 5
    assert control == [200, 200, 429]  # the default limit is on: /readyz alone is exempt


def test_a_successful_probe_is_not_logged_but_counted(app, caplog):
    from quizapp import metrics

    caplog.set_level(logging.INFO, logger="quizapp")
    sample = {"route": "/readyz", "method": "GET", "status": "200"}
    before = metrics.REGISTRY.get_sample_value("quizapp_http_requests_total", sample) or 0
    assert probe(app).status_code == 200
    assert not [r for r in caplog.records if r.name == "quizapp.request"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert metrics.REGISTRY.get_sample_value("quizapp_http_requests_total", sample) == before + 1


def test_liveness_stays_cheap_without_a_database(tmp_path, clock):
    app = bare_app(UNREACHABLE_POSTGRES, {}, clock)
    try:
        response = app.test_client().get("/healthz")
    finally:
        dispose(app)
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
