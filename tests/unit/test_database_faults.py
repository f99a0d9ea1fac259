"""database_faults.classify: outages and read-only databases are 503s, defects stay 500s."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from quizapp.database_faults import BUSY, READ_ONLY, UNAVAILABLE, classify, describe


def sqlite_error(sql: str, uri: str = "file::memory:") -> sqlite3.Error:
    """The real sqlite3 error that `sql` raises on a fresh connection to `uri`."""
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.execute(sql)
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError(f"{sql!r} did not fail")


def wrapped(orig: Exception, connection_invalidated: bool = False) -> sa_exc.DBAPIError:
    """Wrap a driver error the way SQLAlchemy does when a statement fails."""
    # SQLAlchemy picks its class (OperationalError, IntegrityError …) by the driver class's names.
    base = sqlite3.Error if isinstance(orig, sqlite3.Error) else psycopg.Error
    return sa_exc.DBAPIError.instance("INSERT INTO t VALUES (?)", None, orig, base,
                                      connection_invalidated=connection_invalidated)


def test_sqlite_query_only_and_read_only_file_are_read_only(tmp_path):
    path = tmp_path / "ro.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    query_only = sqlite3.connect(path)
    query_only.execute("PRAGMA query_only=ON")
    with pytest.raises(sqlite3.OperationalError) as raised:
        query_only.execute("INSERT INTO t VALUES (1)")
    assert classify(wrapped(raised.value)) == READ_ONLY
    assert classify(wrapped(sqlite_error("INSERT INTO t VALUES (1)", f"file:{path}?mode=ro"))) == READ_ONLY


def test_sqlite_cannot_open_is_unavailable(tmp_path):
    with pytest.raises(sqlite3.OperationalError) as raised:
        sqlite3.connect(f"file:{tmp_path}/no/such/dir/x.db?mode=rw", uri=True)
    assert classify(wrapped(raised.value)) == UNAVAILABLE


def test_sqlite_write_lock_held_past_the_timeout_is_busy(tmp_path):
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # another worker holds the single write lock
    waiter = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            waiter.execute("INSERT INTO t VALUES (1)")
    finally:
        waiter.close()
        holder.close()
    assert classify(wrapped(raised.value)) == BUSY


@pytest.mark.parametrize("sql", ["SELECT * FROM no_such_table", "SELEC 1", "CREATE TABLE t (x); INSERT"])
def test_sqlite_statement_errors_are_defects_although_sqlite_calls_them_operational(sql):
    error = sqlite_error(sql)
    assert isinstance(error, (sqlite3.OperationalError, sqlite3.ProgrammingError))
    assert classify(wrapped(error)) is None


def test_sqlite_unique_violation_is_a_defect():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE u (x UNIQUE)")
    conn.execute("INSERT INTO u VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError) as raised:
        conn.execute("INSERT INTO u VALUES (1)")
    exc = wrapped(raised.value)
    assert isinstance(exc, sa_exc.IntegrityError)
    assert classify(exc) is None


@pytest.mark.parametrize("message, kind", [
    ("attempt to write a readonly database", READ_ONLY),
    ("database is locked", BUSY),
    ("unable to open database file", UNAVAILABLE),
    ("disk I/O error", UNAVAILABLE),
    ("no such table: participants", None),
])
def test_sqlite_errors_without_a_code_name_are_read_by_message(message, kind):
    assert classify(wrapped(sqlite3.OperationalError(message))) == kind


@pytest.mark.parametrize("error_class, kind", [
    (psycopg.errors.ReadOnlySqlTransaction, READ_ONLY),  # 25006: hot standby, default_transaction_read_only
    (psycopg.errors.AdminShutdown, UNAVAILABLE),  # 57P01
    (psycopg.errors.CannotConnectNow, UNAVAILABLE),  # 57P03: starting up
    (psycopg.errors.TooManyConnections, UNAVAILABLE),  # 53300
    (psycopg.errors.ConnectionFailure, UNAVAILABLE),  # 08006
    (psycopg.errors.DiskFull, UNAVAILABLE),  # 53100
    (psycopg.errors.UniqueViolation, None),
    (psycopg.errors.UndefinedTable, None),
    (psycopg.errors.SyntaxError, None),
    (psycopg.errors.SerializationFailure, None),  # a concurrency defect to fix, not an outage
    (psycopg.errors.QueryCanceled, None),  # statement_timeout: a slow query, not the server away
    (psycopg.errors.InvalidTextRepresentation, None),
])
def test_postgres_errors_by_sqlstate(error_class, kind):
    assert classify(wrapped(error_class("x"))) == kind


def test_postgres_connection_refused_has_no_sqlstate_and_is_unavailable():
    refused = psycopg.OperationalError('connection failed: connection to server at "127.0.0.1", port 1 failed')
    assert classify(wrapped(refused)) == UNAVAILABLE
    assert classify(wrapped(psycopg.InterfaceError("the connection is closed"))) == UNAVAILABLE


def test_a_dropped_connection_that_sqlalchemy_invalidated_is_unavailable():
    assert classify(wrapped(psycopg.DatabaseError("server closed the connection"), connection_invalidated=True)) \
        == UNAVAILABLE
    assert classify(wrapped(psycopg.DatabaseError("server closed the connection"))) is None


def test_pool_timeout_and_disconnection_without_a_driver_error():
    assert classify(sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached")) == BUSY
    assert classify(sa_exc.DisconnectionError("gone")) == UNAVAILABLE


@pytest.mark.parametrize("error", [ValueError("x"), sa_exc.PendingRollbackError("x"), sa_exc.NoResultFound(),
                                   sa_exc.ArgumentError("x"), sa_exc.InvalidRequestError("x")])
def test_other_errors_are_not_outages(error):
    assert classify(error) is None


def test_describe_names_classes_and_code_but_not_the_message():
    refused = psycopg.OperationalError('connection to server at "db.internal", port 5432 failed: password=hunter2')
    label = describe(wrapped(refused))
    assert label == "OperationalError/psycopg.OperationalError"
    assert describe(wrapped(psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT"))) \
        == "InternalError/psycopg.errors.ReadOnlySqlTransaction 25006"
    assert describe(wrapped(sqlite_error("SELECT * FROM nowhere"))) \
        == "OperationalError/sqlite3.OperationalError SQLITE_ERROR"
    assert describe(sa_exc.TimeoutError("pool")) == "TimeoutError"
