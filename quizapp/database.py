"""Connection settings that make SQLite safe under several workers."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

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
        if mode == _NO_BEGIN:
            return  # an autocommit connection (below): each statement is its own transaction
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
    if conn.get_execution_options().get("sqlite_begin") == _NO_BEGIN:
        return  # its turns are taken and given back around each write (single_write_turn)
    if conn.dialect.name == "sqlite" and conn.engine.url.database:
        sqlite_writer.release(conn.engine.url.database)


_NO_BEGIN = "NONE"
_AUTOCOMMIT = "quizapp.autocommit_connection"  # session.info key of the request's autocommit connection


def autocommit_connection(session):
    """The request's pooled connection on which every statement commits by itself, before it returns.

    For the hottest requests of a round (an answer save, a start): reads that need no snapshot, and
    writes of one statement each whose WHERE clause re-checks what they depend on. Without BEGIN and
    COMMIT, PostgreSQL saves two round trips per transaction, and SQLite holds its write lock for one
    statement only. Closed with the session (close_autocommit), or when the session begins to write.

    A request holds one connection at a time (the pool sizing in the README counts on it): a read
    transaction the session has open, with nothing pending, is ended first and its connection goes back
    to the pool for this one."""
    conn = session.info.get(_AUTOCOMMIT)
    if conn is None or conn.closed:
        if session().get_transaction() is not None and not (session.new or session.dirty or session.deleted):
            session.commit()
        conn = session.get_bind().connect()
        if conn.dialect.name == "sqlite":
            # The driver never begins by itself here (isolation_level None, set on connect): only the
            # begin listener does, and it is told not to.
            conn.execution_options(sqlite_begin=_NO_BEGIN)
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT")
        session.info[_AUTOCOMMIT] = conn
    return conn


def close_autocommit(session) -> None:
    """Give the request's autocommit connection back to the pool, if it took one."""
    conn = session.info.pop(_AUTOCOMMIT, None)
    if conn is not None:
        conn.close()


@contextmanager
def single_write_turn(conn):
    """Around one writing statement on an autocommit connection: on SQLite, the file's write turn (see
    sqlite_writer), so that writers queue instead of sleeping in SQLite's busy handler."""
    database = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    held = bool(database) and database != ":memory:" and sqlite_writer.acquire(database, 10.0)
    try:
        yield conn
    finally:
        if held:
            sqlite_writer.release(database)


def begin_write(session) -> None:  # session: Flask-SQLAlchemy's scoped db.session
    """End any read transaction and start a write transaction that holds the write lock from its start;
    inside a write transaction begun so already, carry on in it (its reads stay valid under the lock)."""
    current = session().get_transaction()
    if current is not None and session.info.get(_WRITING) is current:
        return
    close_autocommit(session)  # one connection per request at a time
    if current is not None:
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
