"""Participation over time for the statistics: one GROUP BY per event gives days, hours and today.

Registrations count on the day and hour they happened, finishers on those of their first
submission, both in the contest's time zone as the running totals stored them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func

from ..domain.permissions import RegionScope
from ..domain.timing import local_day_hour
from ..models import Contest, Participant
from .scope import grouped_sums

MAX_DAYS = 400  # a window longer than a year is listed only where something happened


@dataclass(frozen=True)
class DayHourGrid:
    """How many registered and how many first finished in each (local day, hour)."""

    registered: dict[tuple[date, int], int]
    finished: dict[tuple[date, int], int]


def _counts(contest: Contest, scope: RegionScope, day_column, hour_column) -> dict[tuple[date, int], int]:
    sums = grouped_sums(contest.id, scope, [day_column, hour_column], [func.count()], day_column.is_not(None))
    return {key: values[0] for key, values in sums.items()}


def day_hour_grid(contest: Contest, scope: RegionScope) -> DayHourGrid:
    """Both events counted per local day and hour (each read from its covering index)."""
    return DayHourGrid(_counts(contest, scope, Participant.registered_day, Participant.registered_hour),
                       _counts(contest, scope, Participant.finished_day, Participant.finished_hour))


def _per_day(counts: dict[tuple[date, int], int]) -> dict[date, int]:
    days: dict[date, int] = {}
    for (day, _), count in counts.items():
        days[day] = days.get(day, 0) + count
    return days


def _window_days(contest: Contest, now: datetime) -> list[date]:
    first, _ = local_day_hour(contest.starts_at, contest.timezone)
    last, _ = local_day_hour(min(now, contest.ends_at), contest.timezone)
    days, day = [], first
    while day <= last and len(days) < MAX_DAYS:
        days.append(day)
        day += timedelta(days=1)
    return days


def days_of(grid: DayHourGrid, contest: Contest, now: datetime) -> list[dict]:
    """Every day of the window so far (zeros too), and any other day that saw activity."""
    registered, finished = _per_day(grid.registered), _per_day(grid.finished)
    days = sorted(set(_window_days(contest, now)) | set(registered) | set(finished))
    return [{"day": day.isoformat(), "participants": registered.get(day, 0), "finished": finished.get(day, 0)}
            for day in days]


def hours_of(grid: DayHourGrid, day: date | None = None) -> list[dict]:
    """The 24 hours of the day: summed over the whole contest, or of one `day`."""
    def per_hour(counts):
        hours = [0] * 24
        for (when, hour), count in counts.items():
            if hour is not None and 0 <= hour < 24 and (day is None or when == day):
                hours[hour] += count
        return hours
    registered, finished = per_hour(grid.registered), per_hour(grid.finished)
    return [{"hour": hour, "participants": registered[hour], "finished": finished[hour]} for hour in range(24)]
