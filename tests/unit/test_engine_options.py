"""DATABASE_PREPARED_STATEMENTS=0 (PgBouncer in transaction mode) reaches psycopg as prepare_threshold=None."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from quizapp.config import _engine_options


def test_prepared_statements_stay_on_by_default(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    assert _engine_options("postgresql+psycopg://db/quiz") == {"pool_pre_ping": True}


def test_off_only_for_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    assert _engine_options("postgresql+psycopg://db/quiz")["connect_args"] == {"prepare_threshold": None}
    assert "connect_args" not in _engine_options("sqlite:///quiz.sqlite3")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_psycopg_then_never_prepares(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    url = os.environ["TEST_DATABASE_URL"]
    engine = create_engine(url, **_engine_options(url))
    with engine.connect() as conn:
        for _ in range(8):  # psycopg prepares after 5 runs by default
            conn.execute(text("SELECT 1")).scalar_one()
        prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    engine.dispose()
    assert prepared == 0
