"""Per-process caches: question texts and keys, so a round's requests skip re-reading them, and
how often each question has been shown, so a start draws a balanced paper without a query.

Questions change only through a bank import; a worker may serve the old text for at most
`ttl` seconds after one (set from QUESTION_CACHE_SECONDS; tests use 0).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func

from ..domain.exposure import count_shown, newcomers
from ..domain.paper import Candidate
from ..extensions import db
from ..models import ItemTally, Question


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


class ExposureCounts:
    """Per contest: question id -> papers that showed it, as this process knows it.

    Seeded once per contest from the item tallies (every worker's finished attempts), then
    counted here on each start, so the draw reads a dict instead of the database. Several
    workers each keep their own counts and do not see each other's starts; that still
    balances: each worker keeps the papers it hands out within one showing per question of
    each other, and a sum of balanced shares is balanced (W workers: within W showings). A
    restarted worker reseeds from the tallies, which hold all workers' finished papers; any
    unevenness in that seed is then made up by each worker on its own (W times over), which
    stays a few showings because the seed itself comes from balanced papers.
    """

    def __init__(self) -> None:
        self._contests: dict[int, dict[int, int]] = {}
        self._pools_seen: dict[int, Sequence[Sequence[Candidate]]] = {}
        self._lock = threading.Lock()

    def counts(self, contest_id: int, pools: Sequence[Sequence[Candidate]]) -> dict[int, int]:
        """The contest's counts, covering every question of these pools (one query, the first time)."""
        counts = self._contests.get(contest_id)
        if counts is None:
            counts = self._seed(contest_id)
        # A pools list that is the cached one seen last holds no new question: skip the scan.
        if self._pools_seen.get(contest_id) is not pools:
            with self._lock:
                counts.update(newcomers(pools, counts))
                self._pools_seen[contest_id] = pools
        return counts

    def record(self, contest_id: int, question_ids: Iterable[int]) -> None:
        """Count one paper handed out in this process."""
        with self._lock:
            count_shown(self._contests.setdefault(contest_id, {}), list(question_ids))

    def _seed(self, contest_id: int) -> dict[int, int]:
        rows = db.session.execute(
            db.select(ItemTally.question_id, func.sum(ItemTally.drawn))
            .where(ItemTally.contest_id == contest_id).group_by(ItemTally.question_id)
        ).all()
        seeded = {int(qid): int(drawn or 0) for qid, drawn in rows}
        with self._lock:
            # Two threads may seed at once; the first one's dict is kept, so no count is lost.
            return self._contests.setdefault(contest_id, seeded)


def exposure() -> ExposureCounts:
    """This app's exposure counts: one store per app (per worker), so tests and CLI apps never share one."""
    store = current_app.extensions.get("quizapp.exposure")
    if store is None:
        store = current_app.extensions.setdefault("quizapp.exposure", ExposureCounts())
    return store
