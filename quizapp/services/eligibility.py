"""Who may enter the prize draw: passed within the window, not excluded, no uncleared flag; entrant codes.

One rule for `me`, the participant pages and the draw (README "抽奖资格"): a participant is in the
draw when (1) one of their finished attempts, started and ended inside the contest window, reached
the pass mark (a round left running past its deadline and grace is scored first, from the answers
saved in time); (2) their phone is not on the exclusion list; and (3) none of their flags is
unresolved or upheld, the flags being re-checked first with everything known now (a device that
registered more phones later). The draw applies it to everyone at commit; `draw_standing` to one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from ..database import begin_write, saved_unless_duplicate
from ..domain.eligibility import new_entrant_code, new_entrant_codes, parse_phone_list
from ..domain.errors import DomainError
from ..extensions import db
from ..models import Attempt, AttemptFlag, Contest, Exclusion, Participant
from . import audit, flags
from .contests import get_contest
from .draw_notice import DrawRefused, latest_draw

_CODE_RNG = secrets.SystemRandom()  # entrant codes must not be guessable from one another
_CODE_RETRIES = 5
_ERRORS_SHOWN = 10


def _passed(contest: Contest):
    # One entry per participant (per phone), whatever the number of attempts: a passing, finished
    # attempt inside the window is enough, since the best one then passes too.
    return db.select(Attempt.id).where(
        Attempt.participant_id == Participant.id, Attempt.status == "finished",
        Attempt.score >= contest.pass_score, Attempt.started_at >= contest.starts_at,
        Attempt.submitted_at <= contest.ends_at).exists()


def _excluded():
    return db.select(Exclusion.id).where(
        Exclusion.contest_id == Participant.contest_id, Exclusion.phone == Participant.phone).exists()


def _held(*states):
    # Any flag not cleared (unresolved or upheld) holds the person back: it questions how they
    # reached the pass mark, on any of their attempts.
    return db.select(AttemptFlag.id).where(
        AttemptFlag.participant_id == Participant.id, AttemptFlag.cleared_at.is_(None), *states).exists()


def _eligible_select(contest: Contest, *columns):
    # Someone who asked to be deleted before the list was frozen is out of the draw (PIPL).
    return db.select(*columns).where(Participant.contest_id == contest.id, Participant.anonymised_at.is_(None),
                                     _passed(contest), ~_excluded(), ~_held())


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


IN_DRAW, UNDER_REVIEW, NOT_IN_DRAW, NOT_PASSED = "in_draw", "under_review", "not_in_draw", "not_passed"


@dataclass(frozen=True)
class DrawStanding:
    """One participant under the draw's rule: passed the mark (in the window), eligible, and why not."""

    passed: bool
    eligible: bool
    status: str  # in_draw | under_review (a flag awaits review) | not_in_draw (excluded, upheld) | not_passed


def draw_standing(contest: Contest, participant: Participant) -> DrawStanding:
    """The draw's rule for one participant now; adds (and commits) the flags now due on their attempts."""
    one = (Participant.contest_id == contest.id, Participant.id == participant.id)
    if db.session.execute(db.select(Participant.id).where(*one, _passed(contest))).first() is None:
        return DrawStanding(False, False, NOT_PASSED)
    flags.refresh_and_save(contest, participant)  # as the draw re-checks everyone before it freezes the list
    if is_eligible(contest, participant):
        return DrawStanding(True, True, IN_DRAW)
    out = db.session.execute(db.select(Participant.id).where(
        *one, _excluded() | _held(AttemptFlag.upheld_at.is_not(None)))).first() is not None
    return DrawStanding(True, False, NOT_IN_DRAW if out else UNDER_REVIEW)


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
    drawn = latest_draw(contest)
    if drawn is not None and drawn.status == "drawn":
        # The frozen list decided the draw: a later exclusion would make `me` and the result disagree.
        raise DrawRefused("已经开奖，排除名单不能再修改")
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
