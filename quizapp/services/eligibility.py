"""Who may enter the prize draw: passed within the window, not excluded, no uncleared flag; entrant codes."""

from __future__ import annotations

import secrets
from datetime import datetime

from ..database import begin_write, saved_unless_duplicate
from ..domain.eligibility import new_entrant_code, new_entrant_codes, parse_phone_list
from ..domain.errors import DomainError
from ..extensions import db
from ..models import Attempt, AttemptFlag, Contest, Exclusion, Participant
from . import audit
from .contests import get_contest

_CODE_RNG = secrets.SystemRandom()  # entrant codes must not be guessable from one another
_CODE_RETRIES = 5
_ERRORS_SHOWN = 10


def _eligible_select(contest: Contest, *columns):
    # One entry per participant (per phone), whatever the number of attempts: a passing, finished
    # attempt inside the window is enough, since the best one then passes too.
    passed = db.select(Attempt.id).where(
        Attempt.participant_id == Participant.id, Attempt.status == "finished",
        Attempt.score >= contest.pass_score, Attempt.started_at >= contest.starts_at,
        Attempt.submitted_at <= contest.ends_at).exists()
    excluded = db.select(Exclusion.id).where(
        Exclusion.contest_id == Participant.contest_id, Exclusion.phone == Participant.phone).exists()
    # Any uncleared flag holds the person back: it questions how they reached the pass mark.
    flagged = db.select(AttemptFlag.id).where(
        AttemptFlag.participant_id == Participant.id, AttemptFlag.cleared_at.is_(None)).exists()
    return db.select(*columns).where(Participant.contest_id == contest.id, passed, ~excluded, ~flagged)


def eligible_participant_ids(contest: Contest, now: datetime | None = None) -> set[int]:
    """Ids of participants whose best finished in-window attempt passes, not excluded or flagged."""
    # `now` is accepted for older callers: eligibility is read from stored facts only.
    return set(db.session.execute(_eligible_select(contest, Participant.id)).scalars())


def eligible_entrants(contest: Contest) -> list[tuple[int, str | None]]:
    """(participant_id, entrant_code or None) of every eligible participant, by id."""
    query = _eligible_select(contest, Participant.id, Participant.entrant_code).order_by(Participant.id)
    return [(row[0], row[1]) for row in db.session.execute(query).all()]


def is_eligible(contest: Contest, participant: Participant) -> bool:
    """Whether this one participant is in the draw now."""
    query = _eligible_select(contest, Participant.id).where(Participant.id == participant.id)
    return db.session.execute(query).first() is not None


def assign_missing_codes(contest: Contest, participant_ids: list[int]) -> int:
    """Give entrant codes to these participants; inside the caller's write transaction."""
    if not participant_ids:
        return 0
    taken = set(db.session.execute(
        db.select(Participant.entrant_code).where(Participant.contest_id == contest.id,
                                                  Participant.entrant_code.is_not(None))).scalars())
    codes = new_entrant_codes(len(participant_ids), taken, _CODE_RNG)
    db.session.execute(db.update(Participant), [{"id": pid, "entrant_code": code}
                                                for pid, code in zip(participant_ids, codes, strict=True)])
    return len(codes)


def ensure_entrant_code(participant: Participant) -> str:
    """The participant's entrant code, created (and committed) on first need."""
    for _ in range(_CODE_RETRIES):
        if participant.entrant_code:
            return participant.entrant_code
        begin_write(db.session)
        db.session.execute(
            db.update(Participant).where(Participant.id == participant.id, Participant.entrant_code.is_(None))
            .values(entrant_code=new_entrant_code(_CODE_RNG)).execution_options(synchronize_session=False))
        saved_unless_duplicate(db.session)  # a code taken meanwhile (1 in 10^12): the loop draws another
        db.session.refresh(participant)  # also picks up a code a parallel request set first
    raise RuntimeError("could not assign a unique entrant code")


def exclude_phones(slug: str, text: str, actor: str, now: datetime, reason: str = "") -> tuple[int, int]:
    """Load an exclusion list (all or nothing); returns (phones added, phones already excluded)."""
    contest = get_contest(slug)
    phones, errors = parse_phone_list(text)
    if errors:
        lines = "、".join(str(number) for number, _ in errors[:_ERRORS_SHOWN])
        more = f" 等 {len(errors)} 行" if len(errors) > _ERRORS_SHOWN else ""
        raise DomainError(f"排除名单有无效的手机号码（第 {lines} 行{more}），未导入任何号码", code="validation_error")
    if not phones:
        raise DomainError("排除名单中没有手机号码", code="validation_error")
    begin_write(db.session)
    known = set(db.session.execute(db.select(Exclusion.phone).where(
        Exclusion.contest_id == contest.id, Exclusion.phone.in_(phones))).scalars())
    fresh = [phone for phone in phones if phone not in known]
    db.session.add_all(Exclusion(contest_id=contest.id, phone=phone, reason=reason[:200], created_at=now)
                       for phone in fresh)
    audit.record("exclude", actor, contest, len(fresh), now, {"already": len(known), "reason": reason[:200]})
    db.session.commit()
    return len(fresh), len(known)
