"""Contest statistics (CONTRACT §6 stats.json): headline figures, days, hours, regions, channels, bands.

Every figure is an SQL aggregate over one row per participant (the running totals that
`tallies` keeps), grouped on covering indexes, so the cost grows with the participants of the
contest, never with its attempts: a handful of index scans in all (measured with
bench/insight.py on 300,000 participants and 1,000,000 attempts). The few people held back from
the draw, flagged or winning are looked up from their small tables by primary key.
Eligibility here is the draw's rule read from those totals: the best score reaches the pass
mark, the phone is not excluded, and no flag is uncleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, union

from ..domain.item_stats import count_in_bands, rate, score_bands
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.regions import split, tree
from ..domain.timing import local_day_hour
from ..extensions import db
from ..models import Attempt, AttemptFlag, Channel, Contest, Exclusion, Participant, PrizeDraw, Scan
from .contests import iso_local, max_score
from .insight_time import day_hour_grid, days_of, hours_of
from .scope import grouped_sums, within_scope

NO_CHANNEL_NAME = "（无渠道）"
UNKNOWN_CHANNEL_NAME = "（未登记的渠道代码）"


@dataclass(frozen=True)
class RegionRow:
    """Participation of one region (a leaf of the contest's list, or a 盟市 rolled up)."""

    region: str
    participants: int = 0
    finished: int = 0
    passed: int = 0
    eligible: int = 0
    score_total: float = 0.0
    finished_rounds: int = 0
    duration_total: int = 0

    def as_dict(self) -> dict:
        """The row as stats.json gives it."""
        average = self.score_total / self.finished if self.finished else None
        return {"region": self.region, "participants": self.participants, "finished": self.finished,
                "eligible": self.eligible, "average_score": None if average is None else round(average, 2)}


def _participants(contest: Contest, scope: RegionScope, *columns):
    return within_scope(select(*columns).where(Participant.contest_id == contest.id), scope)


def _passed(contest: Contest):
    return Participant.best_score >= contest.pass_score


def _passing_sum(contest: Contest):
    return func.coalesce(func.sum(case((_passed(contest), 1), else_=0)), 0)


def held_back_ids(contest: Contest):
    """Participants who may not be drawn whatever their score: excluded phones and uncleared flags."""
    excluded = (select(Participant.id).join(Exclusion, (Exclusion.contest_id == Participant.contest_id)
                                            & (Exclusion.phone == Participant.phone))
                .where(Exclusion.contest_id == contest.id))
    flagged = select(AttemptFlag.participant_id).where(AttemptFlag.contest_id == contest.id,
                                                       AttemptFlag.cleared_at.is_(None))
    return union(excluded, flagged)


def _counted_by_id(contest: Contest, scope: RegionScope, ids, *conditions) -> dict[tuple, int]:
    """(region, channel) → how many participants among `ids`, looked up by primary key."""
    chosen = ids.subquery()
    query = within_scope(select(Participant.region, Participant.channel, func.count())
                         .join(chosen, chosen.c[0] == Participant.id)
                         .where(Participant.contest_id == contest.id, *conditions), scope)
    return {(region, channel): count for region, channel, count in
            db.session.execute(query.group_by(Participant.region, Participant.channel)).all()}


def held_back_passers(contest: Contest, scope: RegionScope = EVERYWHERE) -> dict[tuple, int]:
    """Participants who passed but are held back from the draw, per (region, channel)."""
    return _counted_by_id(contest, scope, held_back_ids(contest), _passed(contest))


def _fold(counts: dict[tuple, int], position: int) -> dict:
    folded: dict = {}
    for key, count in counts.items():
        folded[key[position]] = folded.get(key[position], 0) + count
    return folded


def region_rows(contest: Contest, scope: RegionScope = EVERYWHERE, held: dict | None = None) -> list[RegionRow]:
    """Each region's participation, every region of the contest included (zeros too), most active first."""
    query = _participants(contest, scope, Participant.region, func.count(), func.count(Participant.best_score),
                          _passing_sum(contest), func.coalesce(func.sum(Participant.best_score), 0.0),
                          func.coalesce(func.sum(Participant.finished_count), 0),
                          func.coalesce(func.sum(Participant.duration_total), 0)).group_by(Participant.region)
    held_by_region = _fold(held if held is not None else held_back_passers(contest, scope), 0)
    found = {}
    for region, count, finished, passing, total, rounds, seconds in db.session.execute(query).all():
        found[region] = RegionRow(region, count, finished, int(passing), int(passing) - held_by_region.get(region, 0),
                                  float(total), int(rounds), int(seconds))
    for region in contest.regions:
        if region not in found and scope.admits(region):
            found[region] = RegionRow(region)
    return sorted(found.values(), key=lambda row: (-row.participants, -row.finished, row.region))


def top_region_rows(rows: list[RegionRow]) -> list[RegionRow]:
    """Leaf rows rolled up to their top level (盟市), for a contest whose regions are a hierarchy."""
    totals: dict[str, list] = {}
    for row in rows:
        into = totals.setdefault(split(row.region)[0], [0, 0, 0, 0, 0.0, 0, 0])
        values = (row.participants, row.finished, row.passed, row.eligible, row.score_total, row.finished_rounds,
                  row.duration_total)
        for index, value in enumerate(values):
            into[index] += value
    rolled = [RegionRow(top, *values) for top, values in totals.items()]
    return sorted(rolled, key=lambda row: (-row.participants, -row.finished, row.region))


def running_count(contest: Contest, scope: RegionScope) -> int:
    """Attempts still running (few at any moment: the expiry index finds them)."""
    query = select(func.count()).select_from(Attempt).where(Attempt.contest_id == contest.id,
                                                            Attempt.status == "running")
    if scope.limited:
        query = within_scope(query.join(Participant, Participant.id == Attempt.participant_id), scope)
    return db.session.execute(query).scalar_one()


def flagged_count(contest: Contest, scope: RegionScope) -> int:
    """Participants with at least one flag that nobody has cleared yet."""
    flagged = select(AttemptFlag.participant_id).where(AttemptFlag.contest_id == contest.id,
                                                       AttemptFlag.cleared_at.is_(None)).distinct()
    return sum(_counted_by_id(contest, scope, flagged).values())


def winner_ids(contest: Contest) -> list[int] | None:
    """Participant ids of the latest run draw's winners; None before any draw was run."""
    drawn = db.session.execute(select(PrizeDraw.winners).filter_by(contest_id=contest.id, status="drawn")
                               .order_by(PrizeDraw.version.desc()).limit(1)).first()
    if drawn is None:
        return None
    return [w["participant_id"] for w in drawn.winners or []
            if isinstance(w, dict) and isinstance(w.get("participant_id"), int)]


def winners_by(contest: Contest, scope: RegionScope) -> dict[tuple, int]:
    """Winners of the latest draw per (region, channel), inside the scope (empty before the draw)."""
    ids = winner_ids(contest)
    if not ids:
        return {}
    query = _participants(contest, scope, Participant.region, Participant.channel, func.count()).where(
        Participant.id.in_(ids)).group_by(Participant.region, Participant.channel)
    return {(region, channel): count for region, channel, count in db.session.execute(query).all()}


def bands(contest: Contest, scope: RegionScope) -> list[dict]:
    """Finished participants' best scores in consecutive bands from 0 to the maximum score."""
    scores = grouped_sums(contest.id, scope, [Participant.best_score], [func.count()],
                          Participant.best_score.is_not(None))
    edges = score_bands(max_score(contest))
    counts = count_in_bands(edges, [(key[0], values[0]) for key, values in scores.items()])
    return [{"from": band.start, "to": band.end, "count": count} for band, count in zip(edges, counts, strict=True)]


@dataclass(frozen=True)
class ChannelFigures:
    """What the people one channel brought did (code None: they came without one)."""

    scans: int = 0
    participants: int = 0
    finished: int = 0  # participants with a finished round
    finished_rounds: int = 0
    eligible: int = 0
    winners: int = 0


def scans_by_channel(contest: Contest) -> dict[str, int]:
    """Scans per channel code (not tied to a region: every account sees them all)."""
    return dict(db.session.execute(select(Channel.code, func.count(Scan.id)).join(Scan, Scan.channel_id == Channel.id)
                                   .where(Channel.contest_id == contest.id).group_by(Channel.code)).all())


def channel_figures(contest: Contest, scope: RegionScope = EVERYWHERE, held: dict | None = None,
                    winners: dict | None = None) -> dict[str | None, ChannelFigures]:
    """Per channel code: scans, registrations, finishers and their rounds, eligible people and winners."""
    scans = scans_by_channel(contest)
    people = {key[0]: values for key, values in grouped_sums(
        contest.id, scope, [Participant.channel], [func.count(), func.count(Participant.best_score),
                                                   func.sum(Participant.finished_count), _passing_sum(contest)]).items()}
    held_by = _fold(held if held is not None else held_back_passers(contest, scope), 1)
    won_by = _fold(winners if winners is not None else winners_by(contest, scope), 1)
    figures = {}
    for code in set(people) | set(scans):
        count, finished, rounds, passing = people.get(code, (0, 0, 0, 0))
        figures[code] = ChannelFigures(scans.get(code, 0), count, finished, int(rounds),
                                       int(passing) - held_by.get(code, 0), won_by.get(code, 0))
    return figures


def _channel_names(contest: Contest, codes) -> dict:
    names = dict(db.session.execute(select(Channel.code, Channel.name).where(Channel.contest_id == contest.id)
                                    .order_by(Channel.code)).all())
    for code in sorted(code for code in codes if code is not None and code not in names):
        names[code] = f"{code}{UNKNOWN_CHANNEL_NAME}"  # the code tells several unregistered ones apart
    if None in codes:
        names[None] = NO_CHANNEL_NAME
    return names


def channel_rows(contest: Contest, figures: dict[str | None, ChannelFigures]) -> list[dict]:
    """The funnel of each channel as stats.json gives it, with each step's conversion."""
    rows = []
    for code, name in _channel_names(contest, set(figures)).items():
        f = figures.get(code, ChannelFigures())
        conversion = {"registered": rate(f.participants, f.scans), "finished": rate(f.finished, f.participants),
                      "eligible": rate(f.eligible, f.finished), "winners": rate(f.winners, f.eligible)}
        rows.append({"code": code, "name": name, "scans": f.scans, "participants": f.participants,
                     "finished": f.finished, "eligible": f.eligible, "winners": f.winners, "conversion": conversion})
    return rows


def by_channel(contest: Contest, scope: RegionScope = EVERYWHERE) -> list[dict]:
    """The funnel of each channel: scans, registered, finished, eligible, winners, and each step's conversion."""
    return channel_rows(contest, channel_figures(contest, scope))


def _totals(rows: list[RegionRow], channels: dict[str | None, ChannelFigures], running: int, flagged: int,
            winners: int) -> dict:
    participants, finished = sum(r.participants for r in rows), sum(r.finished for r in rows)
    rounds, seconds = sum(r.finished_rounds for r in rows), sum(r.duration_total for r in rows)
    score_total = sum(r.score_total for r in rows)
    return {
        "scans": sum(f.scans for f in channels.values()), "participants": participants,
        "attempts": rounds + running, "finished": finished, "passed": sum(r.passed for r in rows),
        "eligible": sum(r.eligible for r in rows), "flagged": flagged, "winners": winners,
        "finished_attempts": rounds, "completion_rate": rate(finished, participants),
        "average_score": round(score_total / finished, 2) if finished else None,
        "average_duration_seconds": round(seconds / rounds) if rounds else None,
    }


def contest_stats(contest: Contest, now: datetime, scope: RegionScope = EVERYWHERE) -> dict:
    """Everything stats.json gives (CONTRACT §6), plus hours, region roll-ups and rates."""
    held, winners = held_back_passers(contest, scope), winners_by(contest, scope)
    rows = region_rows(contest, scope, held)
    channels = channel_figures(contest, scope, held, winners)
    grid = day_hour_grid(contest, scope)
    today, _ = local_day_hour(min(now, contest.ends_at), contest.timezone)
    body = {
        "contest": contest.slug, "generated_at": iso_local(now, contest.timezone), "timezone": contest.timezone,
        "scope": scope.region,
        "totals": _totals(rows, channels, running_count(contest, scope), flagged_count(contest, scope),
                          sum(winners.values())),
        "by_day": days_of(grid, contest, now), "by_hour": hours_of(grid), "today": today.isoformat(),
        "today_by_hour": hours_of(grid, today),
        "by_region": [row.as_dict() for row in rows],
        "by_channel": channel_rows(contest, channels),
        "score_bands": bands(contest, scope),
    }
    if any("/" in region for region in contest.regions):
        body["by_region_top"] = [row.as_dict() for row in top_region_rows(rows)]
        body["region_tree"] = [{"name": name, "children": children} for name, children in tree(contest.regions)]
    return body
