"""Test helpers that read the database behind the API's back."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

from sqlalchemy import create_engine, text


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


@contextmanager
def scratch_postgres_schema(prefix: str):
    """A fresh schema on TEST_DATABASE_URL's server, dropped afterwards; yields the engine options
    that make an app use it (its search_path)."""
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"{prefix}_{secrets.token_hex(4)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
