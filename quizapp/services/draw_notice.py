"""The read side of the prize draw: the current commitment and the public notice (公示).

The public sees the reveal, the winners and the reserves once the notice is published: at once
after `flask draw run`, and after the organizer has verified the result in the console.
"""

from __future__ import annotations

from datetime import timedelta

from ..domain import prize_draw
from ..domain.errors import DomainError
from ..domain.masking import mask_name, mask_phone
from ..extensions import db
from ..models import Contest, Participant, PrizeDraw
from .contests import get_contest, iso_local
from .privacy import public_identity


class DrawRefused(DomainError):
    """The draw cannot do this now (too early, not committed, list changed …)."""

    code = "draw_refused"


def latest_draw(contest: Contest) -> PrizeDraw | None:
    """The current commitment (the highest version), or None."""
    return db.session.execute(
        db.select(PrizeDraw).filter_by(contest_id=contest.id).order_by(PrizeDraw.version.desc()).limit(1)
    ).scalar_one_or_none()


def people_of(draw: PrizeDraw) -> dict[int, Participant]:
    """The winners and reserves of a run draw, by participant id (erased people are absent)."""
    ids = [row["participant_id"] for row in (draw.winners or []) + (draw.reserves or [])]
    rows = db.session.execute(db.select(Participant).where(Participant.id.in_(ids))).scalars() if ids else []
    return {person.id: person for person in rows}


def _masked(row: dict, person: Participant | None, published: bool) -> dict:
    # `published`: as the public notice shows a person (PIPL Art. 25: the name only with their consent;
    # what the notice showed before they were anonymised, kept in the row). Else the organizer's lines.
    if published:
        return {**(row.get("shown") or public_identity(person)), "entrant_code": row["entrant_code"]}
    return {"name": mask_name(person.name) if person else "", "phone": mask_phone(person.phone) if person else "",
            "region": person.region if person else "", "entrant_code": row["entrant_code"],
            "publish_consent": bool(person and person.publish_consent and person.anonymised_at is None)}


def public_winners(draw: PrizeDraw, published: bool = True) -> list[dict]:
    """[{tier, prize, name, phone, region, entrant_code}] as the notice shows them (`published=False`:
    names and phones masked for every winner, for the organizer's own lines)."""
    people = people_of(draw)
    return [{"tier": w["tier"], "prize": w["prize"], **_masked(w, people.get(w["participant_id"]), published)}
            for w in draw.winners or []]


def public_reserves(draw: PrizeDraw, published: bool = True) -> list[dict]:
    """[{tier, prize, rank, name, phone, region, entrant_code}] (候补) in drawing order, as public_winners."""
    people = people_of(draw)
    return [{"tier": r["tier"], "prize": r["prize"], "rank": r["rank"],
             **_masked(r, people.get(r["participant_id"]), published)} for r in draw.reserves or []]


def _commitment(contest: Contest, draw: PrizeDraw) -> dict:
    return {"entrants_sha256": draw.entrants_sha256, "seed_sha256": draw.seed_sha256,
            "entropy_source": draw.entropy_source, "version": draw.version, "entrant_count": len(draw.entrants),
            "prizes": [dict(p) for p in draw.prizes], "committed_at": iso_local(draw.committed_at, contest.timezone),
            "reason": draw.reason}


def _history(contest: Contest, current: PrizeDraw) -> list[dict]:
    older = db.session.execute(
        db.select(PrizeDraw).where(PrizeDraw.contest_id == contest.id, PrizeDraw.version < current.version)
        .order_by(PrizeDraw.version)).scalars()
    return [{"version": d.version, "entrants_sha256": d.entrants_sha256, "seed_sha256": d.seed_sha256,
             "entropy_source": d.entropy_source, "committed_at": iso_local(d.committed_at, contest.timezone)}
            for d in older]


def publicity(contest: Contest, draw: PrizeDraw) -> dict:
    """The 公示 period (from publication, `publicity_days` long) and where objections go."""
    ends = draw.published_at + timedelta(days=contest.publicity_days) if draw.published_at else None
    return {"organizer": contest.organizer or "", "days": contest.publicity_days,
            "starts_at": iso_local(draw.published_at, contest.timezone), "ends_at": iso_local(ends, contest.timezone),
            "objection_contact": contest.objection_contact or contest.contact or ""}


def notice(contest: Contest, full: bool = False, unpublished: bool = False) -> dict:
    """The public notice (CONTRACT §1 winners); `full` adds the entrant list the verifier needs.

    `unpublished` shows a run draw's result before publication: for the organizer's check only.
    """
    draw = latest_draw(contest)
    body = {"commitment": None, "reveal": None, "winners": [], "reserves": [], "algorithm": prize_draw.ALGORITHM,
            "contest": contest.slug, "draw_after": iso_local(contest.ends_at, contest.timezone), "history": [],
            "publicity": None, "state": "none"}
    if draw is None:
        return body
    body["commitment"], body["history"] = _commitment(contest, draw), _history(contest, draw)
    body["state"] = "published" if draw.published_at else ("drawn" if draw.status == "drawn" else "committed")
    shown = draw.status == "drawn" and (draw.published_at is not None or unpublished)
    if shown:  # the seed stays secret until the run reveals it
        body["reveal"] = {"seed": draw.seed_hex, "public_entropy": draw.public_entropy,
                          "revealed_at": iso_local(draw.revealed_at, contest.timezone)}
        # The organizer's check (unpublished) sees every winner masked, and who agreed to be named.
        public = not unpublished
        body["winners"], body["reserves"] = public_winners(draw, public), public_reserves(draw, public)
        body["publicity"] = publicity(contest, draw)
    if full:
        body["entrants"] = list(draw.entrants)
    return body


def public_notice(slug: str, full: bool = False) -> dict:
    """The public notice of the contest with this slug."""
    return notice(get_contest(slug), full)
