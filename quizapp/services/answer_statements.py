"""The answer save's one statement: upsert the choice only while its attempt is still running.

It runs on an autocommit connection, so it is its own transaction. The attempt's status is read
inside the statement: a submit that closed the attempt before it leaves it writing nothing (the
caller answers 409), and on PostgreSQL the row is share-locked while the statement runs, so that a
submit waiting for its own lock reads this answer once the statement has committed."""

from __future__ import annotations

from functools import cache

from sqlalchemy import JSON, bindparam, text
from sqlalchemy.sql.elements import TextClause

from ..models import UTCDateTime

_TEMPLATE = (
    "INSERT INTO attempt_answer (attempt_id, question_key, option_ids, saved_at) "
    "SELECT {attempt_id}, {question_key}, {option_ids}, {saved_at} "
    "WHERE EXISTS (SELECT 1 FROM attempt WHERE attempt.id = :attempt_id AND attempt.status = 'running'{lock}) "
    "ON CONFLICT (attempt_id, question_key) DO UPDATE "
    "SET option_ids = excluded.option_ids, saved_at = excluded.saved_at"
)


@cache
def conditional_upsert(dialect: str) -> TextClause:
    """The statement for one dialect ("sqlite" or "postgresql"), built once.

    In INSERT … SELECT PostgreSQL cannot take the column types from the target, so the values are
    cast; SQLite needs no cast and has no row locks (its write lock covers the statement)."""
    if dialect == "postgresql":
        sql = _TEMPLATE.format(attempt_id="CAST(:attempt_id AS VARCHAR)", question_key="CAST(:question_key AS VARCHAR)",
                               option_ids="CAST(:option_ids AS JSON)", saved_at="CAST(:saved_at AS TIMESTAMP)",
                               lock=" FOR SHARE")
    else:
        sql = _TEMPLATE.format(attempt_id=":attempt_id", question_key=":question_key", option_ids=":option_ids",
                               saved_at=":saved_at", lock="")
    return text(sql).bindparams(bindparam("option_ids", type_=JSON), bindparam("saved_at", type_=UTCDateTime))
