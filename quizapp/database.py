"""Connection settings that make SQLite safe under several workers."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from . import sqlite_writer

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let us issue BEGIN ourselves (below) instead of the driver's deferred BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin(conn):
    # Reads begin DEFERRED so that they never hold the single write lock; write flows ask for
    # IMMEDIATE through begin_write(), because a deferred transaction that reads and then
    # writes fails with SQLITE_BUSY when another writer got in between, whatever the timeout.
    if conn.dialect.name == "sqlite":
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        database = conn.engine.url.database
        if mode == "IMMEDIATE" and database and database != ":memory:":
            sqlite_writer.acquire(database, 10.0)
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except Exception:
            _end_turn(conn)
            raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _end_turn(conn):
    # Only SQLite connections take turns. Nothing is read from the connection, which may be dead; the
    # turn is per thread and file (a request writes through one connection), see sqlite_writer.
    if conn.dialect.name == "sqlite" and conn.engine.url.database:
        sqlite_writer.release(conn.engine.url.database)


def begin_write(session) -> None:  # session: Flask-SQLAlchemy's scoped db.session
    """End any read transaction and start a write transaction that holds the write lock from its start;
    inside a write transaction begun so already, carry on in it (its reads stay valid under the lock)."""
    current = session().get_transaction()
    if current is not None:
        if session.info.get(_WRITING) is current:
            return
        session.commit()  # expire_on_commit is off: objects read so far stay usable
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.info[_WRITING] = session().get_transaction()


# session.info key of the transaction that begin_write started (compared by identity, so a later
# transaction of the same session never passes for it).
_WRITING = "quizapp.write_transaction"


def saved_unless_duplicate(session, flush_only: bool = False) -> bool:
    """Commit (or only flush); if a unique key refuses it, roll back and return False.

    Parallel requests race for the same unique row (a phone, a running attempt, a scan); the
    loser must learn that plainly, while any other integrity error still propagates.
    """
    try:
        if flush_only:
            session.flush()
        else:
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        if not is_unique_violation(exc):
            raise
        return False
    return True


def is_unique_violation(exc: Exception) -> bool:
    """True when an IntegrityError came from a unique or primary-key constraint."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "unique" in text or "duplicate key" in text
