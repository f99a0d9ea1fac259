"""Plain-dict views of attempts, shared by the JSON API and the participant pages."""

from __future__ import annotations

from datetime import datetime

from ..models import Attempt, Contest
from .attempts import paper_items, saved_answers
from .contests import iso_local
from .question_cache import QuestionRecord
from .question_cache import questions as question_cache


def _questions(ids: list[int]) -> dict[int, QuestionRecord]:
    return question_cache.get_many(ids)


def _options(item, question: QuestionRecord) -> list[dict]:
    return [{"id": oid, "text": question.options[idx]}
            for oid, idx in zip(item.option_ids, item.option_index, strict=True)]


def running_payload(attempt: Attempt, contest: Contest, now: datetime, with_answers: bool = True) -> dict:
    """A running attempt: its questions in order (no answers revealed) and what was saved so far."""
    items = paper_items(attempt)
    questions = _questions([item.question_id for item in items])
    payload = {
        "attempt_id": attempt.id,
        "status": "running",
        "started_at": iso_local(attempt.started_at, contest.timezone),
        "deadline": iso_local(attempt.deadline, contest.timezone),
        "server_time": iso_local(now, contest.timezone),
        "questions": [
            {"id": item.key, "type": item.type, "stem": questions[item.question_id].stem,
             "points": item.points, "options": _options(item, questions[item.question_id])}
            for item in items
        ],
    }
    if with_answers:
        payload["answers"] = saved_answers(attempt)
    return payload


def result_payload(attempt: Attempt, contest: Contest) -> dict:
    """A finished attempt's result with every answer explained (CONTRACT §1 submit)."""
    items = {item.key: item for item in paper_items(attempt)}
    questions = _questions([item.question_id for item in items.values()])
    results = []
    for row in attempt.results or []:
        item = items[row["question_id"]]
        question = questions[item.question_id]
        results.append({**row, "type": item.type, "stem": question.stem, "points": item.points,
                        "options": _options(item, question),
                        "explanation": question.explanation, "source": question.source})
    return {
        "attempt_id": attempt.id,
        "status": "finished",
        "score": attempt.score,
        "max_score": attempt.max_score,
        "correct_count": attempt.correct_count,
        "question_count": len(items),
        "duration_seconds": attempt.duration_seconds,
        "eligible": attempt.score is not None and attempt.score >= contest.pass_score,
        "pass_score": contest.pass_score,
        "late": attempt.late,
        "submitted_at": iso_local(attempt.submitted_at, contest.timezone),
        "results": results,
    }


def attempt_payload(attempt: Attempt, contest: Contest, now: datetime) -> dict:
    """The running view or the result, whichever the attempt's state calls for."""
    if attempt.status == "finished":
        return result_payload(attempt, contest)
    return running_payload(attempt, contest, now)
