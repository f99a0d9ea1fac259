"""Test helpers that read the database behind the API's back."""

from __future__ import annotations


def correct_answers(app, attempt_id: str) -> dict[str, list[str]]:
    """The correct option ids per question of an attempt (what a perfect player picks)."""
    from quizapp.extensions import db
    from quizapp.models import Attempt, Question
    from quizapp.services.attempts import paper_items

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        answers = {}
        for item in paper_items(attempt):
            right = set(db.session.get(Question, item.question_id).answer)
            answers[item.key] = [oid for oid, idx in zip(item.option_ids, item.option_index, strict=True) if idx in right]
        return answers


def wrong_answers(app, attempt_id: str) -> dict[str, list[str]]:
    """One wrong option per question."""
    from quizapp.extensions import db
    from quizapp.models import Attempt, Question
    from quizapp.services.attempts import paper_items

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        answers = {}
        for item in paper_items(attempt):
            right = set(db.session.get(Question, item.question_id).answer)
            answers[item.key] = [next(oid for oid, idx in zip(item.option_ids, item.option_index, strict=True)
                                      if idx not in right)]
        return answers


def paper_types(payload: dict) -> dict[str, str]:
    """Question id → type for an attempt payload."""
    return {q["id"]: q["type"] for q in payload["questions"]}
