"""Scoring of answer sheets (with optional partial credit) and ranking with explicit tie-breaks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from quizapp.domain.timing import as_utc

PARTIAL_NONE = "none"
PARTIAL_PROPORTIONAL = "proportional"


@dataclass(frozen=True)
class ScoringItem:
    """One question of an attempt as the scorer needs it: points, credit rule, correct ids."""

    key: str
    points: float
    partial: str
    correct: frozenset[str]


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one question: full marks or not, points awarded, chosen and correct ids."""

    key: str
    correct: bool
    awarded: float
    chosen: tuple[str, ...]
    correct_ids: tuple[str, ...]


@dataclass(frozen=True)
class SheetResult:
    """The outcome of a whole answer sheet."""

    score: float
    max_score: float
    correct_count: int
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class RankEntry:
    """One finished attempt as the leaderboard sees it."""

    participant_id: int
    score: float
    duration_seconds: int
    submitted_at: datetime
    attempt_ref: str = ""


def _normalise_choice(chosen: Iterable[str] | str | None) -> frozenset[str]:
    """Turn whatever the client sent into a set of option ids."""
    if chosen is None:
        return frozenset()
    if isinstance(chosen, str):
        # A bare string would otherwise be iterated character by character.
        return frozenset([chosen]) if chosen else frozenset()
    return frozenset(str(option) for option in chosen)


def score_item(item: ScoringItem, chosen: Iterable[str]) -> ItemResult:
    """Score one question: all or nothing, or a share of the points when no wrong option is chosen."""
    picked = _normalise_choice(chosen)
    correct = frozenset(item.correct)
    full = bool(picked) and picked == correct
    if full:
        awarded = float(item.points)
    elif picked and item.partial == PARTIAL_PROPORTIONAL and correct and picked <= correct:
        awarded = round(item.points * len(picked) / len(correct), 2)
    else:
        awarded = 0.0
    return ItemResult(
        key=item.key,
        correct=full,
        awarded=awarded,
        chosen=tuple(sorted(picked)),
        correct_ids=tuple(sorted(correct)),
    )


def score_sheet(items: Sequence[ScoringItem], answers: Mapping[str, Iterable[str]]) -> SheetResult:
    """Score every item of a paper; answers to keys that are not in the paper are ignored."""
    results = tuple(score_item(item, answers.get(item.key, ())) for item in items)
    return SheetResult(
        score=round(sum(result.awarded for result in results), 2),
        max_score=round(sum(float(item.points) for item in items), 2),
        correct_count=sum(1 for result in results if result.correct),
        items=results,
    )


def _tie_key(entry: RankEntry) -> tuple[float, int, datetime]:
    """The part of the order that decides a rank; rounding keeps float noise from splitting ties."""
    return (-round(entry.score, 2), entry.duration_seconds, as_utc(entry.submitted_at))


def _order_key(entry: RankEntry) -> tuple[float, int, datetime, int]:
    """Full ordering: score desc, shorter duration, earlier submission, then participant id."""
    return (*_tie_key(entry), entry.participant_id)


def best_per_participant(entries: Iterable[RankEntry]) -> list[RankEntry]:
    """Keep each participant's best attempt, returned in ranking order."""
    best: dict[int, RankEntry] = {}
    for entry in entries:
        current = best.get(entry.participant_id)
        # Strictly better only, so among identical attempts the first one given is kept.
        if current is None or _order_key(entry) < _order_key(current):
            best[entry.participant_id] = entry
    return sorted(best.values(), key=_order_key)


def rank(entries: Iterable[RankEntry]) -> list[tuple[int, RankEntry]]:
    """Rank entries 1-based (competition ranking 1,1,3); equal score, duration and time tie."""
    ordered = sorted(entries, key=_order_key)
    ranked: list[tuple[int, RankEntry]] = []
    for position, entry in enumerate(ordered, start=1):
        if ranked and _tie_key(ranked[-1][1]) == _tie_key(entry):
            ranked.append((ranked[-1][0], entry))
        else:
            ranked.append((position, entry))
    return ranked
