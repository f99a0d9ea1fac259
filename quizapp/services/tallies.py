"""Running totals for the statistics: kept at registration and at submit, rebuilt on demand.

Statistics over a national contest (a million attempts) must answer in about a second, so
nothing there reads the attempts: every figure comes from one row per participant
(`Participant.best_score`, `finished_day`, …) and one row per question (`ItemTally`,
`OptionTally`). These are updated in the same transaction as the event they count, so they
are never ahead of or behind the data; `rebuild` recomputes them from the attempts for a
database that existed before they did, or after a repair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import Date, Float, bindparam, delete, select, text, update

from ..domain.paper import PaperItem, from_dict
from ..domain.timing import local_day_hour
from ..models import Attempt, ItemTally, OptionTally, Participant

_REBUILD_BATCH = 2000


class ContestKey(Protocol):
    """What the tallies need of a contest: a Contest row, or the migration's plain row."""

    id: int
    timezone: str


@dataclass(frozen=True)
class ItemOutcome:
    """One question of a finished attempt, as the tallies count it."""

    question_id: int
    correct: bool
    awarded: float
    chosen_indexes: tuple[int, ...]  # options chosen, by their place in the bank (0 is A)


def outcomes(items: Sequence[PaperItem], results: Iterable[dict]) -> list[ItemOutcome]:
    """Map an attempt's stored results (by opaque paper key) back to questions and bank options."""
    by_key = {item.key: item for item in items}
    found = []
    for result in results:
        item = by_key.get(result.get("question_id"))
        if item is None:
            continue
        index_of = dict(zip(item.option_ids, item.option_index, strict=True))
        chosen = tuple(sorted(index_of[oid] for oid in result.get("chosen_option_ids") or () if oid in index_of))
        found.append(ItemOutcome(item.question_id, bool(result.get("correct")), float(result.get("awarded") or 0),
                                 chosen))
    return found


# Increments, so that parallel submits add up instead of overwriting each other. Rows go in
# question order: two transactions then lock shared rows in the same order and cannot deadlock.
_ADD_ITEM = text(
    "INSERT INTO item_tally (contest_id, region, question_id, drawn, answered, correct, sum_rest, sum_rest_sq, "
    "sum_rest_correct) VALUES (:contest_id, :region, :question_id, 1, :answered, :correct, :rest, :rest_sq, "
    ":rest_correct) ON CONFLICT (contest_id, region, question_id) DO UPDATE SET drawn = item_tally.drawn + 1, "
    "answered = item_tally.answered + excluded.answered, correct = item_tally.correct + excluded.correct, "
    "sum_rest = item_tally.sum_rest + excluded.sum_rest, sum_rest_sq = item_tally.sum_rest_sq + excluded.sum_rest_sq, "
    "sum_rest_correct = item_tally.sum_rest_correct + excluded.sum_rest_correct"
)
_ADD_OPTION = text(
    "INSERT INTO option_tally (contest_id, region, question_id, option_index, chosen) "
    "VALUES (:contest_id, :region, :question_id, :option_index, 1) "
    "ON CONFLICT (contest_id, region, question_id, option_index) DO UPDATE SET chosen = option_tally.chosen + 1"
)


def add_item_outcomes(executor, contest_id: int, region: str, score: float, found: Sequence[ItemOutcome]) -> None:
    """Count one finished attempt's questions and chosen options; inside the caller's transaction."""
    ordered = sorted(found, key=lambda outcome: outcome.question_id)
    if not ordered:
        return
    rows = []
    for outcome in ordered:
        rest = float(score) - outcome.awarded
        rows.append({"contest_id": contest_id, "region": region, "question_id": outcome.question_id,
                     "answered": 1 if outcome.chosen_indexes else 0, "correct": 1 if outcome.correct else 0,
                     "rest": rest, "rest_sq": rest * rest, "rest_correct": rest if outcome.correct else 0.0})
    executor.execute(_ADD_ITEM, rows)
    options = [{"contest_id": contest_id, "region": region, "question_id": outcome.question_id,
                "option_index": index}
               for outcome in ordered for index in outcome.chosen_indexes]
    if options:
        executor.execute(_ADD_OPTION, options)


# Built once: this runs in every submit, where building the ORM expression cost more than the write.
# Every right-hand side reads the row as it was, so `finished_hour` can test the old day.
_FOLD_FINISHED = text(
    "UPDATE participant SET "
    "best_score = CASE WHEN best_score IS NULL OR best_score < :score THEN :score ELSE best_score END, "
    "finished_count = finished_count + 1, duration_total = duration_total + :duration, "
    "finished_day = COALESCE(finished_day, :day), "
    "finished_hour = CASE WHEN finished_day IS NULL THEN :hour ELSE finished_hour END "
    "WHERE id = :participant_id RETURNING region"
).bindparams(bindparam("day", type_=Date), bindparam("score", type_=Float))


def fold_finished(executor, participant_id: int, score: float, duration: int, day: date, hour: int) -> str:
    """Fold one finished attempt into its participant's running totals; returns the participant's region."""
    return executor.execute(_FOLD_FINISHED, {"participant_id": participant_id, "score": score, "duration": duration,
                                             "day": day, "hour": hour}).scalar_one()


def record_finished(executor, contest: ContestKey, participant_id: int, values: dict,
                    items: Sequence[PaperItem]) -> None:
    """Fold an attempt that has just been finalised into every running total."""
    day, hour = local_day_hour(values["submitted_at"], contest.timezone)
    region = fold_finished(executor, participant_id, values["score"], values["duration_seconds"], day, hour)
    add_item_outcomes(executor, contest.id, region or "", values["score"], outcomes(items, values["results"]))


def _reset(executor, contest: ContestKey) -> None:
    executor.execute(delete(ItemTally).where(ItemTally.contest_id == contest.id))
    executor.execute(delete(OptionTally).where(OptionTally.contest_id == contest.id))
    executor.execute(update(Participant).where(Participant.contest_id == contest.id).values(
        best_score=None, finished_count=0, duration_total=0, finished_day=None, finished_hour=None)
        .execution_options(synchronize_session=False))


_SET_REGISTERED = (update(Participant.__table__).where(Participant.__table__.c.id == bindparam("pid"))
                   .values(registered_day=bindparam("day"), registered_hour=bindparam("hour")))


def _rebuild_registrations(executor, contest: ContestKey) -> None:
    rows = executor.execute(select(Participant.id, Participant.created_at).where(
        Participant.contest_id == contest.id)).all()
    for start in range(0, len(rows), _REBUILD_BATCH):
        params = []
        for pid, created_at in rows[start:start + _REBUILD_BATCH]:
            day, hour = local_day_hour(created_at, contest.timezone)
            params.append({"pid": pid, "day": day, "hour": hour})
        executor.execute(_SET_REGISTERED, params)


def rebuild(executor, contest: ContestKey) -> int:
    """Recompute every running total of a contest from its attempts; returns the attempts counted.

    `executor` is a session or a connection (the migration passes its own); `contest` needs only
    `id` and `timezone`.
    """
    _reset(executor, contest)
    _rebuild_registrations(executor, contest)
    query = (select(Attempt.id, Attempt.participant_id, Attempt.paper, Attempt.results, Attempt.score,
                    Attempt.duration_seconds, Attempt.submitted_at)
             .where(Attempt.contest_id == contest.id, Attempt.status == "finished").order_by(Attempt.id))
    counted, after = 0, ""
    while True:
        batch = executor.execute(query.where(Attempt.id > after).limit(_REBUILD_BATCH)).all()
        if not batch:
            return counted
        for row in batch:
            values = {"submitted_at": row.submitted_at, "score": row.score or 0.0,
                      "duration_seconds": row.duration_seconds or 0, "results": row.results or []}
            record_finished(executor, contest, row.participant_id, values,
                            [from_dict(data) for data in row.paper or []])
        counted += len(batch)
        after = batch[-1].id
