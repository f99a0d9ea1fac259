"""The rights the PIPL gives participants after a contest: deletion on request and a retention period.

Deleting here means anonymising: the name and phone are replaced, the tokens and the device evidence
are dropped, and what stays (region, scores, running totals) no longer identifies anyone, so that the
statistics and the published record of the draw stay as they were."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..database import begin_write
from ..domain.masking import mask_name, mask_phone
from ..extensions import db
from ..models import Contest, Participant, ParticipantToken, PrizeDraw, WechatBinding
from . import audit, verification
from .contests import get_contest

ANONYMOUS_NAME = "已删除"


@dataclass(frozen=True)
class PurgeReport:
    """What one `privacy purge` run did: people anonymised for the retention period or on request."""

    retention_ends: datetime
    expired: int
    on_request: int
    waiting: int  # requests still held by a committed draw whose 公示 is not over


def _anonymise(person: Participant, now: datetime) -> None:
    # `x<id>` keeps (contest, phone) unique and can never be a mainland mobile number.
    person.name, person.phone = ANONYMOUS_NAME, f"x{person.id}"
    person.client_hash = person.client_ip = None
    person.publish_consent = False
    person.anonymised_at = now
    db.session.execute(db.delete(ParticipantToken).where(ParticipantToken.participant_id == person.id))
    # The openid identifies the person as much as the phone does.
    db.session.execute(db.delete(WechatBinding).where(WechatBinding.participant_id == person.id))


def _committed_draws(contest: Contest) -> list[PrizeDraw]:
    return list(db.session.execute(db.select(PrizeDraw).filter_by(contest_id=contest.id)).scalars())


def _held(person: Participant, draws: list[PrizeDraw], publicity_days: int, now: datetime) -> bool:
    """Whether the current commitment (the highest version: a new one supersedes the old) still holds
    this person: they are in its frozen list and its notice is not yet published, or its 公示 is not over."""
    current = max(draws, key=lambda draw: draw.version, default=None)
    if current is None or person.entrant_code is None or person.entrant_code not in (current.entrants or []):
        return False
    return current.published_at is None or now < current.published_at + timedelta(days=publicity_days)


def request_deletion(participant: Participant, now: datetime) -> bool:
    """A participant's own request to delete their data (from 我的成绩). True: anonymised at once and out
    of any draw not yet committed; False: a committed draw holds them, recorded and carried out after
    its 公示 by `flask privacy purge`."""
    begin_write(db.session)
    contest = participant.contest
    if participant.deletion_requested_at is None:
        participant.deletion_requested_at = now
    done = not _held(participant, _committed_draws(contest), contest.publicity_days, now)
    if done:
        _keep_published_record(contest)
        _anonymise(participant, now)
    audit.record("privacy_delete", "participant", contest, 1, now,
                 {"kind": "done" if done else "pending"}, target=f"participant {participant.id}")
    db.session.commit()
    return done


def _keep_published_record(contest: Contest) -> None:
    """Write the masked names, phones and regions into each run draw before anyone in it is anonymised:
    the published notice must read the same afterwards."""
    for draw in _committed_draws(contest):
        if not draw.winners and not draw.reserves:
            continue
        ids = {row["participant_id"] for row in (draw.winners or []) + (draw.reserves or [])}
        people = {p.id: p for p in db.session.execute(db.select(Participant).where(Participant.id.in_(ids))).scalars()}
        draw.winners = [_with_snapshot(row, people.get(row["participant_id"])) for row in draw.winners or []]
        draw.reserves = [_with_snapshot(row, people.get(row["participant_id"])) for row in draw.reserves or []]


def _with_snapshot(row: dict, person: Participant | None) -> dict:
    if "shown" in row or person is None or person.anonymised_at is not None:
        return row
    shown = public_identity(person)
    return {**row, "shown": {"name": shown["name"], "phone": shown["phone"], "region": shown["region"]}}


def public_identity(person: Participant | None) -> dict:
    """What the winners' notice shows of a person: the masked name and phone only with their consent to
    publish (PIPL Art. 25), the region always; nothing of someone anonymised or gone."""
    if person is None or person.anonymised_at is not None:
        return {"name": "", "phone": "", "region": person.region if person else ""}
    consent = person.publish_consent
    return {"name": mask_name(person.name) if consent else "", "phone": mask_phone(person.phone) if consent else "",
            "region": person.region}


def retention_ends(contest: Contest) -> datetime:
    """When names and phones of this contest are anonymised (its end plus `retention_days`)."""
    return contest.ends_at + timedelta(days=contest.retention_days)


def purge(slug: str, now: datetime, actor: str) -> PurgeReport:
    """Anonymise everyone once the retention period is over, and carry out deletion requests whose draw
    has let go of them; idempotent (a second run changes nothing) and audited when it changes rows."""
    contest = get_contest(slug)
    begin_write(db.session)
    draws = _committed_draws(contest)
    expired = now >= retention_ends(contest)
    remaining = db.session.execute(db.select(Participant).where(
        Participant.contest_id == contest.id, Participant.anonymised_at.is_(None),
        True if expired else Participant.deletion_requested_at.is_not(None))).scalars().all()
    due = [p for p in remaining if expired or not _held(p, draws, contest.publicity_days, now)]
    if due:
        _keep_published_record(contest)
        for person in due:
            _anonymise(person, now)
    on_request = sum(1 for p in due if p.deletion_requested_at is not None)
    report = PurgeReport(retention_ends(contest), len(due) - on_request, on_request, len(remaining) - len(due))
    if due:
        audit.record("privacy_purge", actor, contest, len(due), now,
                     {"count": report.expired, "created": report.on_request})
    db.session.commit()
    verification.purge_codes(now)  # SMS codes (digests only) live a day at most
    return report

