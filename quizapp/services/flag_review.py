"""The review queue of cheat flags: flagged attempts, unresolved first, with the evidence a reviewer needs.

Evidence per attempt: when each answer was saved (seconds from the start, in question order), the
device (a short form of its digest) and every registration from it, the address registration came
from (masked unless the reviewer may see full data), the flags with their kind and detail, the
score and the duration. Names and phones are always masked. Reviewing itself is services/flags.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..domain.flags import (
    FLAG_LABELS,
    STATE_LABELS,
    UNRESOLVED,
    answer_times,
    flag_state,
    mask_ip,
    short_device,
)
from ..domain.masking import mask_name, mask_phone
from ..domain.permissions import EVERYWHERE, RegionScope
from ..extensions import db
from ..models import Attempt, AttemptAnswer, AttemptFlag, Contest, Participant
from . import flags
from .scope import within_scope

PAGE_SIZE = 20           # flagged attempts a page: each carries a table of answer times
DEVICE_ROWS_SHOWN = 12   # registrations listed per device (all are counted)
SHOW_CHOICES = {"unresolved": "待审核", "all": "全部"}


@dataclass(frozen=True)
class QueueQuery:
    """What the queue page asks for: `unresolved` (the default) or `all` flags, and the page."""

    show: str = "unresolved"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> QueueQuery:
        """The query from a request's arguments; anything unknown falls back to the defaults."""
        show = args.get("show", "unresolved")
        page = args.get("page", "1")
        return cls(show if show in SHOW_CHOICES else "unresolved", max(int(page), 1) if page.isdigit() else 1)


def _flag_rows(contest: Contest, query: QueueQuery, scope: RegionScope):
    select = (db.select(AttemptFlag).join(Participant, Participant.id == AttemptFlag.participant_id)
              .where(AttemptFlag.contest_id == contest.id).order_by(AttemptFlag.id))
    if query.show == "unresolved":
        select = select.where(AttemptFlag.cleared_at.is_(None), AttemptFlag.upheld_at.is_(None))
    return db.session.execute(within_scope(select, scope)).scalars().all()


def _grouped(rows) -> list[tuple[str, list[AttemptFlag]]]:
    """Flags by attempt; attempts with an unresolved flag first, then in the order they were flagged."""
    by_attempt: dict[str, list[AttemptFlag]] = defaultdict(list)
    for flag in rows:
        by_attempt[flag.attempt_id].append(flag)
    pending = {aid: any(flag_state(f.cleared_at, f.upheld_at) == UNRESOLVED for f in group)
               for aid, group in by_attempt.items()}
    return sorted(by_attempt.items(), key=lambda item: (not pending[item[0]], item[1][0].id))


def _answers(attempt_ids: list[str]) -> dict[str, dict]:
    saved: dict[str, dict] = defaultdict(dict)
    for row in db.session.execute(db.select(AttemptAnswer.attempt_id, AttemptAnswer.question_key,
                                            AttemptAnswer.saved_at).where(AttemptAnswer.attempt_id.in_(attempt_ids))):
        saved[row.attempt_id][row.question_key] = row.saved_at
    return saved


def _devices(contest: Contest, hashes: set[str], scope: RegionScope) -> dict[str, dict]:
    """Per device digest: how many registrations in all, and the first few inside the scope, masked."""
    if not hashes:
        return {}
    rows = db.session.execute(
        db.select(Participant.id, Participant.client_hash, Participant.name, Participant.phone,
                  Participant.region, Participant.created_at)
        .where(Participant.contest_id == contest.id, Participant.client_hash.in_(hashes))
        .order_by(Participant.created_at, Participant.id)).all()
    visible = set(db.session.execute(within_scope(
        db.select(Participant.id).where(Participant.contest_id == contest.id, Participant.client_hash.in_(hashes)),
        scope)).scalars()) if scope.limited else {row.id for row in rows}
    devices: dict[str, dict] = {digest: {"count": 0, "shown": [], "hidden": 0} for digest in hashes}
    for row in rows:
        device = devices[row.client_hash]
        device["count"] += 1
        if row.id not in visible:
            device["hidden"] += 1  # another region's registration: counted, not shown to this account
        elif len(device["shown"]) < DEVICE_ROWS_SHOWN:
            device["shown"].append({"participant_id": row.id, "name": mask_name(row.name),
                                    "phone": mask_phone(row.phone), "region": row.region, "at": row.created_at})
    return devices


def _flag_view(flag: AttemptFlag) -> dict:
    state = flag_state(flag.cleared_at, flag.upheld_at)
    return {"id": flag.id, "kind": flag.kind, "label": FLAG_LABELS.get(flag.kind, flag.kind), "detail": flag.detail,
            "created_at": flag.created_at, "state": state, "state_label": STATE_LABELS[state],
            "reviewed_by": flag.cleared_by or flag.upheld_by, "reviewed_at": flag.cleared_at or flag.upheld_at,
            "reason": flag.review_reason}


def _item(attempt: Attempt, person: Participant, group: list[AttemptFlag], saved: dict, device: dict | None,
          full_address: bool) -> dict:
    keys = [entry["key"] for entry in attempt.paper]
    return {
        "attempt_id": attempt.id, "score": attempt.score, "max_score": attempt.max_score,
        "duration_seconds": attempt.duration_seconds, "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at, "answer_times": answer_times(attempt.started_at, keys, saved),
        "person": {"participant_id": person.id, "name": mask_name(person.name), "phone": mask_phone(person.phone),
                   "region": person.region, "registered_at": person.created_at},
        "device": {"short": short_device(person.client_hash), **(device or {"count": 0, "shown": [], "hidden": 0})},
        "address": (person.client_ip or "—") if full_address else mask_ip(person.client_ip),
        "flags": [_flag_view(flag) for flag in group],
        "unresolved": any(flag_state(f.cleared_at, f.upheld_at) == UNRESOLVED for f in group),
    }


def review_queue(contest: Contest, query: QueueQuery = QueueQuery(), scope: RegionScope = EVERYWHERE,
                 full_address: bool = False) -> dict:
    """One page of flagged attempts with their evidence, after adding the flags now due; and the counts."""
    flags.refresh_and_save(contest)
    grouped = _grouped(_flag_rows(contest, query, scope))
    pages = max(1, -(-len(grouped) // PAGE_SIZE))
    page = min(query.page, pages)
    shown = grouped[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    ids = [attempt_id for attempt_id, _ in shown]
    attempts = {a.id: a for a in db.session.execute(db.select(Attempt).where(Attempt.id.in_(ids))).scalars()}
    people = {p.id: p for p in db.session.execute(db.select(Participant).where(
        Participant.id.in_({a.participant_id for a in attempts.values()}))).scalars()}
    saved = _answers(ids)
    devices = _devices(contest, {p.client_hash for p in people.values() if p.client_hash}, scope)
    items = [_item(attempts[aid], people[attempts[aid].participant_id], group, saved.get(aid, {}),
                   devices.get(people[attempts[aid].participant_id].client_hash), full_address)
             for aid, group in shown]
    return {"items": items, "attempts": len(grouped), "page": page, "pages": pages,
            "counts": flags.state_counts(contest, scope)}


def flags_for_confirmation(contest: Contest, ids: list[int], scope: RegionScope = EVERYWHERE) -> list[dict]:
    """The chosen flags (inside the scope) as the confirmation page lists them: who, what, and their state now."""
    if not ids:
        return []
    rows = db.session.execute(within_scope(
        db.select(AttemptFlag, Participant.name, Participant.phone, Participant.region, Attempt.score)
        .join(Participant, Participant.id == AttemptFlag.participant_id)
        .join(Attempt, Attempt.id == AttemptFlag.attempt_id)
        .where(AttemptFlag.contest_id == contest.id, AttemptFlag.id.in_(ids)), scope)
        .order_by(AttemptFlag.id)).all()
    return [{**_flag_view(flag), "name": mask_name(name), "phone": mask_phone(phone), "region": region,
             "score": score, "attempt_id": flag.attempt_id}
            for flag, name, phone, region, score in rows]
