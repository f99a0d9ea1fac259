"""A per-process cache of question texts and keys, so a round's requests skip re-reading them.

Questions change only through a bank import; a worker may serve the old text for at most
`ttl` seconds after one (set from QUESTION_CACHE_SECONDS; tests use 0).
"""

from __future__ import annotations

import time
from typing import NamedTuple

from ..extensions import db
from ..models import Question


class QuestionRecord(NamedTuple):
    """What a round needs of a question."""

    id: int
    type: str
    stem: str
    options: tuple[str, ...]
    answer: frozenset[int]
    explanation: str
    source: str


class QuestionCache:
    """Id → QuestionRecord, each entry kept for `ttl` seconds."""

    def __init__(self, ttl: float = 60.0, max_entries: int = 50_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[int, tuple[float, QuestionRecord]] = {}

    def get_many(self, ids) -> dict[int, QuestionRecord]:
        """Records for these ids, reading only the missing or stale ones in one query."""
        now = time.monotonic()
        found: dict[int, QuestionRecord] = {}
        missing = []
        for qid in ids:
            entry = self._entries.get(qid)
            if entry and now - entry[0] < self.ttl:
                found[qid] = entry[1]
            else:
                missing.append(qid)
        if missing:
            found.update(self._load(missing, now))
        return found

    def _load(self, ids: list[int], now: float) -> dict[int, QuestionRecord]:
        rows = db.session.execute(
            db.select(Question.id, Question.type, Question.stem, Question.options, Question.answer,
                      Question.explanation, Question.source).where(Question.id.in_(ids))
        ).all()
        records = {row.id: QuestionRecord(row.id, row.type, row.stem, tuple(row.options), frozenset(row.answer),
                                          row.explanation or "", row.source or "") for row in rows}
        if self.ttl > 0:
            if len(self._entries) + len(records) > self.max_entries:
                self._entries.clear()
            self._entries.update((qid, (now, record)) for qid, record in records.items())
        return records

    def clear(self) -> None:
        """Forget everything (after an import in this process)."""
        self._entries.clear()


questions = QuestionCache()
