"""A small per-process cache of public responses (the anonymous landing page, the leaderboard).

Only what is the same for every visitor goes in: nothing personal is ever stored, and a personal
token (the form's CSRF token) is filled in per request by the caller. Entries expire after their
own deadline, and the cache holds at most `max_entries` (oldest out first), because part of a key
can come from the address (a channel code in ?ch=)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class PageCache:
    """Values by key until a deadline on a monotonic clock."""

    def __init__(self, max_entries: int = 256, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()

    def get(self, key: Hashable):
        """The value kept for `key`, or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock() >= entry[0]:
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: Hashable, value, seconds: float) -> None:
        """Keep `value` for `seconds` (nothing is kept for 0 or less)."""
        if seconds <= 0:
            return
        self._entries[key] = (self.clock() + seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests; a contest reloaded in this process)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
