"""SQLite writers take turns through a file lock that is always given back."""

from __future__ import annotations

import threading
import time

import pytest

from quizapp import sqlite_writer


def _in_thread(action):
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=action()))
    thread.start()
    thread.join(timeout=10)
    return result["value"]


def test_a_second_writer_waits_for_the_turn_and_gets_it_when_released(tmp_path):
    database = str(tmp_path / "quiz.sqlite3")
    assert sqlite_writer.acquire(database, 1.0)
    assert _in_thread(lambda: sqlite_writer.acquire(database, 0.05)) is False
    sqlite_writer.release(database)
    started = time.monotonic()
    assert _in_thread(lambda: (sqlite_writer.acquire(database, 1.0), sqlite_writer.release(database))[0])
    assert time.monotonic() - started < 0.5


def test_no_turn_when_the_lock_file_cannot_be_made(tmp_path):
    assert sqlite_writer.acquire(str(tmp_path / "missing-dir" / "quiz.sqlite3"), 0.01) is False


@pytest.mark.parametrize("ending", ["commit", "rollback", "remove"])
def test_the_turn_is_given_back_however_the_transaction_ends(sqlite_app, ending):
    from quizapp.database import begin_write
    from quizapp.extensions import db

    database = sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite_app.app_context():
        begin_write(db.session)
        assert _in_thread(lambda: sqlite_writer.acquire(database, 0.05)) is False  # held by this transaction
        {"commit": db.session.commit, "rollback": db.session.rollback, "remove": db.session.remove}[ending]()
        assert _in_thread(lambda: (sqlite_writer.acquire(database, 0.5), sqlite_writer.release(database))[0])


def test_a_thread_keeps_few_descriptors_however_many_files_it_writes(tmp_path):
    def many():
        for index in range(3 * sqlite_writer.MAX_OPEN):
            database = str(tmp_path / f"quiz-{index}.sqlite3")
            assert sqlite_writer.acquire(database, 0.1)
            sqlite_writer.release(database)
        return len(sqlite_writer._files.fds)

    assert _in_thread(many) <= sqlite_writer.MAX_OPEN
