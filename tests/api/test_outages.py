"""A database that is read-only or gone answers 503 with Retry-After, writes nothing half way, logs one line."""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import sqlite3

import psycopg
import pytest
from sqlalchemy import create_engine, event, text

from quizapp import create_app, metrics
from quizapp.extensions import db
from quizapp.models import Participant, ParticipantToken
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from quizapp.web import errors
from tests.api.test_security import assert_envelope
from tests.conftest import Api, contest_definition, make_app, sample_bank

needs_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
# Nothing listens on port 1: the connection is refused at once. The password must never show.
UNREACHABLE_POSTGRES = "postgresql+psycopg://quiz:s3cret-pw@127.0.0.1:1/quiz"
BUSY_TEXT = "服务繁忙"
# A participant page may get the 排队中 waiting screen (web/admission.py) instead of the error page.
BUSY_PAGE_TEXTS = (BUSY_TEXT, "系统正忙")
FORM = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": "y", "age_confirmed": "y"}
LEAKS = ("Traceback", "s3cret-pw", "127.0.0.1", "psycopg", "sqlite3", "OperationalError", "INSERT")


def bare_app(url: str, options: dict, clock, **extra):
    """An app on `url` that leaves the database alone (no create_all, no cleanup), as one that is gone needs."""
    return create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-not-for-production", "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **options}, "CLOCK": clock,
        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "QUESTION_CACHE_SECONDS": 0,
        "POOL_CACHE_SECONDS": 0, "LEADERBOARD_CACHE_SECONDS": 0, "STATS_CACHE_SECONDS": 0, **extra})


def _query_only(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA query_only=ON")


def read_only_app(kind: str, targets: dict, clock, **extra):
    """An app whose database refuses writes: SQLite by PRAGMA query_only or a `mode=ro` file, PostgreSQL
    by default_transaction_read_only (what a hot standby also answers)."""
    if kind == "postgresql":
        options = copy.deepcopy(targets["postgresql"]["options"])
        options["connect_args"]["options"] += " -c default_transaction_read_only=on"
        return bare_app(targets["postgresql"]["url"], options, clock, **extra)
    path = targets["sqlite"]["url"].removeprefix("sqlite:///")
    if kind == "sqlite-ro-file":
        return bare_app(f"sqlite:///file:{path}?mode=ro&uri=true", {}, clock, **extra)
    app = bare_app(targets["sqlite"]["url"], {}, clock, **extra)
    with app.app_context():
        event.listen(db.engine, "connect", _query_only)
    return app


def load_sample(app, clock) -> None:
    """The sample bank and contest, written through a writable app."""
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)


def row_counts(app) -> tuple[int, int]:
    """(participants, tokens) as stored."""
    with app.app_context():
        count = [db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Participant, ParticipantToken)]
        db.session.remove()
        return count[0], count[1]


def dispose(*apps) -> None:
    """Close every pooled connection of these apps."""
    for each in apps:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def assert_busy(response, retry_after: str = "5") -> None:
    """A 503 with Retry-After, no-store and nothing of the failure's internals in the body."""
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == retry_after
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert not [leak for leak in LEAKS if leak in body], body[:300]
    if response.mimetype == "application/json":
        error = assert_envelope(response, 503, "service_unavailable")
        assert BUSY_TEXT in error["message"]
        assert error["request_id"] == response.headers["X-Request-Id"]
    else:
        assert response.mimetype == "text/html"
        assert any(busy in body for busy in BUSY_PAGE_TEXTS), body[:300]


def assert_one_warning_each(caplog, requests: int, fault: str) -> None:
    """One warning line per failed request, no traceback anywhere, nothing at ERROR."""
    lines = [r for r in caplog.records if r.name == "quizapp.web.errors"]
    assert len(lines) == requests, [r.getMessage() for r in lines]
    assert all(r.levelno == logging.WARNING and f"database {fault} on " in r.getMessage() for r in lines)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "s3cret-pw" not in caplog.text


@pytest.fixture(params=["sqlite-query-only", "sqlite-ro-file", pytest.param("postgresql", marks=needs_postgres)])
def read_only(request, database_targets, clock):
    """(writable app, read-only app) over the same database, the sample contest loaded."""
    backend = "postgresql" if request.param == "postgresql" else "sqlite"
    writable = make_app(database_targets[backend], clock)
    load_sample(writable, clock)
    app = read_only_app(request.param, database_targets, clock)
    yield writable, app
    dispose(app, writable)


def test_registration_on_a_read_only_database_is_503_and_reading_still_works(read_only, caplog):
    writable, app = read_only
    caplog.set_level(logging.WARNING)
    api = Api(app.test_client(), "demo")
    assert_busy(api.register())
    page = app.test_client().post("/c/demo/register", data=FORM)
    assert_busy(page)
    assert_one_warning_each(caplog, 2, "read_only")
    contest = api.client.get("/api/v1/contests/demo")
    assert contest.status_code == 200 and contest.get_json()["slug"] == "demo"
    assert app.test_client().get("/c/demo").status_code == 200
    assert row_counts(writable) == (0, 0)


@pytest.mark.parametrize("fault", ["read_only", "terminated"])
def test_a_registration_that_fails_half_way_leaves_no_participant_without_a_token(app, contest, fault):
    backend = app.config["BACKEND"]
    if fault == "terminated" and backend != "postgresql":
        pytest.skip("a server to terminate the session: PostgreSQL only")
    seen = []

    def break_at_the_token(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*INSERT INTO participant\b", statement):
            seen.append("participant")
        elif re.match(r"\s*INSERT INTO participant_token\b", statement):
            seen.append("token")
            FAULTS[(fault, backend)](cursor.connection)

    in_request = []

    def count_participants(exc):
        # A later 503 handler (the waiting screen) may read: the session must be rolled back by then.
        in_request.append(db.session.scalar(db.select(db.func.count()).select_from(Participant)))
        return errors.handle_http_error(exc)

    app.register_error_handler(503, count_participants)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", break_at_the_token)
    try:
        response = Api(app.test_client(), contest).register()
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", break_at_the_token)
            db.engine.dispose()  # drop the connection that was made read-only
    assert seen == ["participant", "token"]  # the participant row was written before the failure
    assert_busy(response)
    assert in_request == [0]
    assert row_counts(app) == (0, 0)
    assert Api(app.test_client(), contest).register().status_code == 201  # and the next one goes through
    assert row_counts(app) == (1, 1)


def _terminate(dbapi_connection) -> None:
    engine = create_engine(os.environ["TEST_DATABASE_URL"])
    with engine.begin() as admin:  # the server drops the session, as in a failover or a restart
        admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": dbapi_connection.info.backend_pid})
    engine.dispose()


FAULTS = {
    ("read_only", "sqlite"): lambda dbapi: dbapi.execute("PRAGMA query_only=ON"),
    ("read_only", "postgresql"): lambda dbapi: dbapi.execute("SET LOCAL transaction_read_only = on"),
    ("terminated", "postgresql"): _terminate,
}


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable(request, tmp_path, clock):
    """An app whose database cannot be reached: a closed port, or a file in a directory that is not there."""
    url = UNREACHABLE_POSTGRES if request.param == "postgresql" else f"sqlite:///{tmp_path}/gone/quiz.sqlite3"
    app = bare_app(url, {}, clock)
    yield app
    dispose(app)


def database_errors(kind: str) -> float:
    """The quizapp_database_errors counter for one driver error class."""
    return metrics.REGISTRY.get_sample_value("quizapp_database_errors_total", {"kind": kind}) or 0.0


def test_an_unreachable_database_is_503_on_the_api_and_on_pages(unreachable, caplog):
    caplog.set_level(logging.WARNING)
    counted = database_errors("OperationalError")
    api = Api(unreachable.test_client(), "demo")
    assert_busy(api.client.get("/api/v1/contests/demo"))
    assert_busy(api.register())
    assert_busy(api.client.get("/api/v1/contests/demo/leaderboard"))
    browser = unreachable.test_client()
    assert_busy(browser.get("/c/demo"))
    assert_busy(browser.post("/c/demo/register", data=FORM))
    assert_one_warning_each(caplog, 5, "unavailable")
    assert database_errors("OperationalError") >= counted + 5  # metrics still count the driver errors


def test_the_console_page_during_an_outage_does_not_ask_the_database_for_the_account(unreachable, caplog):
    caplog.set_level(logging.WARNING)
    browser = unreachable.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = "1:1"  # a signed-in organizer: loading the account needs the database
        session["_fresh"] = True
    response = browser.get("/admin/")
    assert_busy(response)
    page = response.get_data(as_text=True)
    assert "管理后台" in page and BUSY_TEXT in page  # the console's own error page
    assert_one_warning_each(caplog, 1, "unavailable")


def test_retry_after_is_configurable(tmp_path, clock):
    app = bare_app(UNREACHABLE_POSTGRES, {}, clock, DB_RETRY_AFTER_SECONDS=17)
    assert_busy(app.test_client().get("/api/v1/contests/demo"), retry_after="17")
    assert_busy(app.test_client().get("/c/demo"), retry_after="17")


def test_a_503_handler_registered_later_receives_the_database_outage(database_targets, clock):
    writable = make_app(database_targets["sqlite"], clock)
    load_sample(writable, clock)
    app = read_only_app("sqlite-query-only", database_targets, clock)
    received = []

    def waiting_screen(exc):
        received.append(exc)
        if errors.wants_json():
            return errors.handle_http_error(exc)
        return f"排队中 {exc.zh_message}", 503, {"Retry-After": str(exc.retry_after)}

    app.register_error_handler(503, waiting_screen)
    try:
        assert_busy(Api(app.test_client(), "demo").register())
        page = app.test_client().post("/c/demo/register", data=FORM)
    finally:
        dispose(app, writable)
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert page.get_data(as_text=True) == f"排队中 {errors.DatabaseUnavailable.zh_message}"
    assert [type(exc) for exc in received] == [errors.DatabaseUnavailable] * 2
    assert all(exc.fault == "read_only" and exc.retry_after == 5 and exc.code == 503 for exc in received)


DEFECTS = {
    ("integrity", "sqlite"): sqlite3.IntegrityError("UNIQUE constraint failed: participant_token.token_hash"),
    ("integrity", "postgresql"): psycopg.errors.UniqueViolation("duplicate key value violates unique constraint"),
    ("statement", "sqlite"): sqlite3.OperationalError("no such table: participant_token"),
    ("statement", "postgresql"): psycopg.errors.UndefinedTable('relation "participant_token" does not exist'),
}


@pytest.mark.parametrize("defect", ["integrity", "statement"])
def test_a_defect_is_still_a_500_with_its_traceback_logged_and_nothing_written(app, contest, defect, caplog):
    def fail(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*INSERT INTO participant_token\b", statement):
            raise DEFECTS[(defect, app.config["BACKEND"])]

    caplog.set_level(logging.WARNING)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", fail)
    try:
        response = Api(app.test_client(), contest).register()
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", fail)
    assert_envelope(response, 500, "server_error")
    assert "Retry-After" not in response.headers
    assert [r.levelno for r in caplog.records if r.name == "quizapp.web.errors"] == [logging.ERROR]
    assert any(r.exc_info for r in caplog.records)
    assert row_counts(app) == (0, 0)
