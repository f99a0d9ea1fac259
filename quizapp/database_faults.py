"""Which database errors mean "the database is away, overloaded or read-only" and which are defects.

The first kind gets a 503 with Retry-After: retrying later helps, and the participant is told so. A
defect (a constraint, a typo in SQL, bad data) keeps its 500 and its traceback, so that it is fixed
rather than hidden behind "please retry". The functions here only look at the exception: no I/O.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

UNAVAILABLE = "unavailable"  # refused, gone, cannot open the file, out of disk or connections
READ_ONLY = "read_only"  # a standby, default_transaction_read_only, a read-only file or query_only
BUSY = "busy"  # the pool or the SQLite write lock did not come free in time

# SQLAlchemy wraps driver errors by DB-API class; these classes are always about the statement.
_DEFECTS = (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError, sa_exc.NotSupportedError)

# PostgreSQL SQLSTATEs (Appendix A of its manual).
_PG_READ_ONLY = frozenset({"25006"})  # read_only_sql_transaction: a standby or a read-only default
# 08: connection exception; 53: insufficient resources (disk full, out of memory, too many
# connections); 57P: the server shut down, crashed, is starting up or dropped the session.
_PG_UNAVAILABLE_PREFIXES = ("08", "53", "57P")
_PG_UNAVAILABLE = frozenset({"58030"})  # io_error

# SQLite result codes, as Python 3.11's sqlite3 names them (extended codes share the prefix).
_SQLITE_KINDS = (
    ("SQLITE_READONLY", READ_ONLY),
    ("SQLITE_BUSY", BUSY),
    ("SQLITE_LOCKED", BUSY),
    ("SQLITE_CANTOPEN", UNAVAILABLE),
    ("SQLITE_IOERR", UNAVAILABLE),
    ("SQLITE_FULL", UNAVAILABLE),
)
# The same, by message, for a driver that does not name the code.
_SQLITE_MESSAGES = (
    ("readonly database", READ_ONLY),
    ("database is locked", BUSY),
    ("unable to open database file", UNAVAILABLE),
    ("disk i/o error", UNAVAILABLE),
    ("database or disk is full", UNAVAILABLE),
)


def sqlstate(orig: object) -> str | None:
    """The SQLSTATE a driver error carries (psycopg 3 `sqlstate`, psycopg2 `pgcode`), or None."""
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _is_sqlite(orig: object) -> bool:
    return type(orig).__module__.startswith("sqlite3")


def _sqlite_kind(orig: object) -> str | None:
    name = getattr(orig, "sqlite_errorname", None) or ""
    for prefix, kind in _SQLITE_KINDS:
        if name.startswith(prefix):
            return kind
    if name:
        return None  # a named code that is not an outage (SQLITE_ERROR: no such table, syntax)
    text = str(orig).lower()
    return next((kind for needle, kind in _SQLITE_MESSAGES if needle in text), None)


def _pg_kind(state: str) -> str | None:
    if state in _PG_READ_ONLY:
        return READ_ONLY
    if state in _PG_UNAVAILABLE or state.startswith(_PG_UNAVAILABLE_PREFIXES):
        return UNAVAILABLE
    return None


def classify(exc: BaseException) -> str | None:
    """UNAVAILABLE, READ_ONLY or BUSY when `exc` means the database cannot serve now; None for a defect."""
    if isinstance(exc, sa_exc.TimeoutError):
        return BUSY  # QueuePool limit reached: every connection is in use
    if isinstance(exc, sa_exc.DisconnectionError):
        return UNAVAILABLE
    if not isinstance(exc, sa_exc.DBAPIError) or isinstance(exc, _DEFECTS):
        return None
    orig = exc.orig
    if _is_sqlite(orig):
        return _sqlite_kind(orig)
    state = sqlstate(orig)
    if state:
        return _pg_kind(state)
    if exc.connection_invalidated:
        return UNAVAILABLE  # SQLAlchemy recognised a dropped connection
    # A driver-level error without a server SQLSTATE: the server was never reached or went away
    # (psycopg: "connection failed … Connection refused", "the connection is closed").
    return UNAVAILABLE if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)) else None


def describe(exc: BaseException) -> str:
    """A log-safe label: the error classes and code, never the message (it can name hosts and SQL)."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return type(exc).__name__
    code = sqlstate(orig) or getattr(orig, "sqlite_errorname", None)
    label = f"{type(exc).__name__}/{type(orig).__module__}.{type(orig).__name__}"
    return f"{label} {code}" if code else label
