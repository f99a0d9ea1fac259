"""Contest statistics (CONTRACT §6 stats.json): headline figures, days, hours, regions, channels, bands.

Every figure is an SQL aggregate over one row per participant (the running totals that
`tallies` keeps), grouped on covering indexes, so the cost grows with the participants of the
contest, never with its attempts. Eligibility here is the draw's rule read from those totals:
the best score reaches the pass mark, the phone is not excluded, and no flag is uncleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, union

from ..domain.item_stats import count_in_bands, rate, score_bands
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.regions import split, tree
from ..domain.timing import local_day_hour
from ..extensions import db
from ..models import Attempt, AttemptFlag, Channel, Contest, Exclusion, Participant, PrizeDraw, Scan
from .contests import iso_local, max_score
from .scope import within_scope

NO_CHANNEL_NAME = "（无渠道）"
UNKNOWN_CHANNEL_NAME = "（未登记的渠道代码）"


@dataclass(frozen=True)
class RegionRow:
    """Participation of one region (a leaf of the contest's list, or a 盟市 rolled up)."""

    region: str
    participants: int
    finished: int
    passed: int
    eligible: int
    score_total: float

    def as_dict(self) -> dict:
        """The row as stats.json gives it."""
        average = self.score_total / self.finished if self.finished else None
        return {"region": self.region, "participants": self.participants, "finished": self.finished,
                "eligible": self.eligible, "average_score": None if average is None else round(average, 2)}


def _participants(contest: Contest, scope: RegionScope, *columns):
    return within_scope(select(*columns).where(Participant.contest_id == contest.id), scope)


def held_back_ids(contest: Contest):
    """Participants who may not be drawn whatever their score: excluded phones and uncleared flags."""
    excluded = (select(Participant.id).join(Exclusion, (Exclusion.contest_id == Participant.contest_id)
                                            & (Exclusion.phone == Participant.phone))
                .where(Exclusion.contest_id == contest.id))
    flagged = select(AttemptFlag.participant_id).where(AttemptFlag.contest_id == contest.id,
                                                       AttemptFlag.cleared_at.is_(None))
    return union(excluded, flagged)


def _passed(contest: Contest):
    return Participant.best_score >= contest.pass_score


def _held_back_by(contest: Contest, scope: RegionScope, column) -> dict:
    """Passed-but-held-back participants per value of `column` (a small set: driven by the small tables)."""
    query = _participants(contest, scope, column, func.count()).where(
        _passed(contest), Participant.id.in_(held_back_ids(contest))).group_by(column)
    return dict(db.session.execute(query).all())


def region_rows(contest: Contest, scope: RegionScope = EVERYWHERE) -> list[RegionRow]:
    """Each region's participation, every region of the contest included (zeros too), most active first."""
    passed = func.sum(case((_passed(contest), 1), else_=0))
    query = _participants(contest, scope, Participant.region, func.count(), func.count(Participant.best_score),
                          passed, func.coalesce(func.sum(Participant.best_score), 0.0)).group_by(Participant.region)
    held = _held_back_by(contest, scope, Participant.region)
    found = {region: RegionRow(region, count, finished, int(passing or 0), int(passing or 0) - held.get(region, 0),
                               float(total))
             for region, count, finished, passing, total in db.session.execute(query).all()}
    for region in contest.regions:
        if region not in found and scope.admits(region):
            found[region] = RegionRow(region, 0, 0, 0, 0, 0.0)
    return sorted(found.values(), key=lambda row: (-row.participants, -row.finished, row.region))


def top_region_rows(rows: list[RegionRow]) -> list[RegionRow]:
    """Leaf rows rolled up to their top level (盟市), for a contest whose regions are a hierarchy."""
    totals: dict[str, list] = {}
    for row in rows:
        top, _ = split(row.region)
        into = totals.setdefault(top, [0, 0, 0, 0, 0.0])
        for index, value in enumerate((row.participants, row.finished, row.passed, row.eligible, row.score_total)):
            into[index] += value
    rolled = [RegionRow(top, *values) for top, values in totals.items()]
    return sorted(rolled, key=lambda row: (-row.participants, -row.finished, row.region))


def _totals(contest: Contest, scope: RegionScope, rows: list[RegionRow]) -> dict:
    participants = sum(row.participants for row in rows)
    finished = sum(row.finished for row in rows)
    durations = db.session.execute(_participants(
        contest, scope, func.coalesce(func.sum(Participant.duration_total), 0),
        func.coalesce(func.sum(Participant.finished_count), 0))).one()
    score_total = sum(row.score_total for row in rows)
    winners = winner_count(contest, scope)
    return {
        "scans": scan_count(contest),
        "participants": participants,
        "attempts": attempt_count(contest, scope),
        "finished": finished,
        "passed": sum(row.passed for row in rows),
        "eligible": sum(row.eligible for row in rows),
        "flagged": flagged_count(contest, scope),
        "winners": winners,
        "finished_attempts": int(durations[1]),
        "completion_rate": rate(finished, participants),
        "average_score": round(score_total / finished, 2) if finished else None,
        "average_duration_seconds": round(durations[0] / durations[1]) if durations[1] else None,
    }


def scan_count(contest: Contest) -> int:
    """Scans of the contest's channel links (not tied to a region: every account sees them all)."""
    return db.session.execute(select(func.count(Scan.id)).join(Channel, Channel.id == Scan.channel_id)
                              .where(Channel.contest_id == contest.id)).scalar_one()


def attempt_count(contest: Contest, scope: RegionScope) -> int:
    """Started attempts (running and finished) of participants in the scope."""
    query = select(func.count()).select_from(Attempt).where(Attempt.contest_id == contest.id)
    if scope.limited:
        query = within_scope(query.join(Participant, Participant.id == Attempt.participant_id), scope)
    return db.session.execute(query).scalar_one()


def flagged_count(contest: Contest, scope: RegionScope) -> int:
    """Participants with at least one flag that nobody has cleared yet."""
    query = _participants(contest, scope, func.count()).where(Participant.id.in_(
        select(AttemptFlag.participant_id).where(AttemptFlag.contest_id == contest.id,
                                                 AttemptFlag.cleared_at.is_(None))))
    return db.session.execute(query).scalar_one()


def winner_ids(contest: Contest) -> list[int] | None:
    """Participant ids of the latest run draw's winners; None before any draw was run."""
    drawn = db.session.execute(select(PrizeDraw.winners).filter_by(contest_id=contest.id, status="drawn")
                               .order_by(PrizeDraw.version.desc()).limit(1)).first()
    if drawn is None:
        return None
    return [w["participant_id"] for w in drawn.winners or []
            if isinstance(w, dict) and isinstance(w.get("participant_id"), int)]


def winner_count(contest: Contest, scope: RegionScope) -> int:
    """Winners of the latest draw inside the scope (0 before the draw)."""
    ids = winner_ids(contest)
    if not ids:
        return 0
    return db.session.execute(_participants(contest, scope, func.count()).where(Participant.id.in_(ids))).scalar_one()


def _day_range(contest: Contest, now: datetime) -> list:
    first, _ = local_day_hour(contest.starts_at, contest.timezone)
    last, _ = local_day_hour(min(now, contest.ends_at), contest.timezone)
    days, day = [], first
    while day <= last and len(days) < 400:
        days.append(day)
        day += timedelta(days=1)
    return days


def by_day(contest: Contest, scope: RegionScope, now: datetime) -> list[dict]:
    """Registrations on the day they happened and finishers on the day of their first submission."""
    registered = dict(db.session.execute(_participants(contest, scope, Participant.registered_day, func.count())
                                         .group_by(Participant.registered_day)).all())
    finished = dict(db.session.execute(_participants(contest, scope, Participant.finished_day, func.count())
                                       .where(Participant.finished_day.is_not(None))
                                       .group_by(Participant.finished_day)).all())
    days = sorted(set(_day_range(contest, now)) | {d for d in (*registered, *finished) if d is not None})
    return [{"day": day.isoformat(), "participants": registered.get(day, 0), "finished": finished.get(day, 0)}
            for day in days]


def by_hour(contest: Contest, scope: RegionScope, day=None) -> list[dict]:
    """The 24 hours of the day (contest time zone): over the whole contest, or of one `day`."""
    def counted(day_column, hour_column):
        query = _participants(contest, scope, hour_column, func.count()).where(hour_column.is_not(None))
        if day is not None:
            query = query.where(day_column == day)
        return dict(db.session.execute(query.group_by(hour_column)).all())
    registered = counted(Participant.registered_day, Participant.registered_hour)
    finished = counted(Participant.finished_day, Participant.finished_hour)
    return [{"hour": hour, "participants": registered.get(hour, 0), "finished": finished.get(hour, 0)}
            for hour in range(24)]


def bands(contest: Contest, scope: RegionScope) -> list[dict]:
    """Finished participants' best scores in consecutive bands from 0 to the maximum score."""
    query = _participants(contest, scope, Participant.best_score, func.count()).where(
        Participant.best_score.is_not(None)).group_by(Participant.best_score)
    edges = score_bands(max_score(contest))
    counts = count_in_bands(edges, db.session.execute(query).all())
    return [{"from": band.start, "to": band.end, "count": count} for band, count in zip(edges, counts, strict=True)]


def _channel_names(contest: Contest, codes) -> dict:
    names = dict(db.session.execute(select(Channel.code, Channel.name).where(Channel.contest_id == contest.id)
                                    .order_by(Channel.code)).all())
    for code in sorted(code for code in codes if code is not None and code not in names):
        names[code] = f"{code}{UNKNOWN_CHANNEL_NAME}"  # the code tells several unregistered ones apart
    if None in codes:
        names[None] = NO_CHANNEL_NAME
    return names


@dataclass(frozen=True)
class ChannelFigures:
    """What the people one channel brought did (code None: they came without one)."""

    scans: int = 0
    participants: int = 0
    finished: int = 0  # participants with a finished round
    finished_rounds: int = 0
    eligible: int = 0
    winners: int = 0


def channel_figures(contest: Contest, scope: RegionScope = EVERYWHERE) -> dict[str | None, ChannelFigures]:
    """Per channel code: scans, registrations, finishers and their rounds, eligible people and winners."""
    scans = dict(db.session.execute(select(Channel.code, func.count(Scan.id)).join(Scan, Scan.channel_id == Channel.id)
                                    .where(Channel.contest_id == contest.id).group_by(Channel.code)).all())
    passed = func.sum(case((_passed(contest), 1), else_=0))
    people = {row[0]: row[1:] for row in db.session.execute(
        _participants(contest, scope, Participant.channel, func.count(), func.count(Participant.best_score),
                      func.coalesce(func.sum(Participant.finished_count), 0), passed)
        .group_by(Participant.channel)).all()}
    held = _held_back_by(contest, scope, Participant.channel)
    ids = winner_ids(contest) or []
    winners = dict(db.session.execute(_participants(contest, scope, Participant.channel, func.count())
                                      .where(Participant.id.in_(ids)).group_by(Participant.channel)).all()) if ids else {}
    figures = {}
    for code in set(people) | set(scans):
        count, finished, rounds, passing = people.get(code, (0, 0, 0, 0))
        figures[code] = ChannelFigures(scans.get(code, 0), count, finished, int(rounds),
                                       int(passing or 0) - held.get(code, 0), winners.get(code, 0))
    return figures


def by_channel(contest: Contest, scope: RegionScope) -> list[dict]:
    """The funnel of each channel: scans, registered, finished, eligible, winners, and each step's conversion."""
    figures = channel_figures(contest, scope)
    rows = []
    for code, name in _channel_names(contest, set(figures)).items():
        f = figures.get(code, ChannelFigures())
        rows.append({"code": code, "name": name, "scans": f.scans, "participants": f.participants,
                     "finished": f.finished, "eligible": f.eligible, "winners": f.winners,
                     "conversion": {"registered": rate(f.participants, f.scans), "finished": rate(f.finished,
                                                                                                 f.participants),
                                    "eligible": rate(f.eligible, f.finished), "winners": rate(f.winners, f.eligible)}})
    return rows


def contest_stats(contest: Contest, now: datetime, scope: RegionScope = EVERYWHERE) -> dict:
    """Everything stats.json gives (CONTRACT §6), plus hours, region roll-ups and rates."""
    rows = region_rows(contest, scope)
    today, _ = local_day_hour(min(now, contest.ends_at), contest.timezone)
    hierarchical = any("/" in region for region in contest.regions)
    body = {
        "contest": contest.slug,
        "generated_at": iso_local(now, contest.timezone),
        "timezone": contest.timezone,
        "scope": scope.region,
        "totals": _totals(contest, scope, rows),
        "by_day": by_day(contest, scope, now),
        "by_hour": by_hour(contest, scope),
        "today": today.isoformat(),
        "today_by_hour": by_hour(contest, scope, today),
        "by_region": [row.as_dict() for row in rows],
        "by_channel": by_channel(contest, scope),
        "score_bands": bands(contest, scope),
    }
    if hierarchical:
        body["by_region_top"] = [row.as_dict() for row in top_region_rows(rows)]
        body["region_tree"] = [{"name": name, "children": children} for name, children in tree(contest.regions)]
    return body

