"""Writers on one SQLite file take turns through an OS file lock before BEGIN IMMEDIATE.

SQLite makes a writer that finds the database locked sleep and try again, with sleeps that grow
from 1 ms to 100 ms. Under a burst of answer saves from several worker processes most of their time
went into those sleeps. A waiter on a file lock (flock) wakes the moment the holder lets go, so
write transactions queue up in order instead. The database's own lock still decides: when the file
lock cannot be had in time (another program holds it, or the lock file cannot be created), the
transaction simply goes on to BEGIN IMMEDIATE and SQLite's busy timeout, as before."""

from __future__ import annotations

import fcntl
import os
import threading
import time

# Polling rather than a blocking flock: a stuck holder must not hang a request past the timeout.
POLL_SECONDS = 0.0002

_files = threading.local()  # one descriptor per thread and file, so threads exclude each other too


# Descriptors kept open per thread: an app uses one database, but the test suite and the CLI's backup
# restore go through many files, and each would otherwise keep a descriptor for the thread's life.
MAX_OPEN = 8


def _descriptor(database: str) -> int | None:
    opened = getattr(_files, "fds", None)
    if opened is None:
        opened = _files.fds = {}
        _files.held = set()
    if database not in opened:
        _close_idle(opened)
        try:
            opened[database] = os.open(f"{database}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            opened[database] = None
    return opened[database]


def _close_idle(opened: dict) -> None:
    """Close the oldest descriptors not holding a turn, down to MAX_OPEN - 1."""
    for database in [name for name in opened if name not in _files.held][:max(len(opened) - MAX_OPEN + 1, 0)]:
        fd = opened.pop(database)
        if fd is not None:
            os.close(fd)


def acquire(database: str, timeout: float) -> bool:
    """Take the write turn for this SQLite file; False when it could not be had within `timeout`."""
    fd = _descriptor(database)
    if fd is None:
        return False
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _files.held.add(database)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def release(database: str) -> None:
    """Give the write turn back, if this thread holds it."""
    fd = _descriptor(database)
    if fd is not None and database in _files.held:
        _files.held.discard(database)
        fcntl.flock(fd, fcntl.LOCK_UN)
