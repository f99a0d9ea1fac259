"""Exposure balancing: prefer the questions a contest has shown least, at random among equals.

A plain random sample shows some questions of a small pool far more often than others for a
long while (30 questions, 5 per paper: after 100 papers the most shown has been seen two to
three times as often as the least shown), so some get passed around while others are hardly
tested. Taking the least shown first keeps every question of a pool within one showing of the
others, and drawing at random among the equally shown keeps two papers from matching just
because counts are equal.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Protocol, TypeVar


class HasQuestionId(Protocol):
    """Anything carrying a question id (a paper Candidate)."""

    question_id: int


C = TypeVar("C", bound=HasQuestionId)


def _by_level(pool: Sequence[C], exposure: Mapping[int, int]) -> dict[int, list[C]]:
    """The pool in buckets by exposure, each bucket in pool order."""
    get = exposure.get
    by_level: dict[int, list[C]] = {}
    for candidate in pool:
        by_level.setdefault(get(candidate.question_id, 0), []).append(candidate)
    return by_level


def least_exposed(pool: Sequence[C], count: int, exposure: Mapping[int, int], rng: random.Random) -> list[C]:
    """`count` distinct members of `pool` with the lowest exposure; ties broken at random.

    O(len(pool)): one pass into buckets by level, then only the few distinct levels (balancing
    keeps them to two or three) are sorted, never the pool.
    """
    if count <= 0:
        return []
    if count > len(pool):
        raise ValueError("count exceeds the pool")
    by_level = _by_level(pool, exposure)
    picked: list[C] = []
    for level in sorted(by_level):
        bucket = by_level[level]
        need = count - len(picked)
        if len(bucket) >= need:
            # The level the count runs out in: a random share of it, so equal counts stay unpredictable.
            return picked + rng.sample(bucket, need)
        picked += bucket
    raise AssertionError("unreachable: the buckets hold the whole pool")


def exposure_order(pool: Sequence[C], exposure: Mapping[int, int] | None, rng: random.Random) -> list[C]:
    """The pool least exposed first, shuffled within each level (all one level without counts)."""
    shuffled = list(pool)
    rng.shuffle(shuffled)
    if not exposure:
        return shuffled
    by_level = _by_level(shuffled, exposure)
    return [candidate for level in sorted(by_level) for candidate in by_level[level]]


def newcomers(pools: Sequence[Sequence[HasQuestionId]], exposure: Mapping[int, int]) -> dict[int, int]:
    """Starting counts for pool members not yet counted: the lowest count already in their pool.

    A question added mid-contest (a corrected or new question) would otherwise start at 0 and,
    being least shown, appear in every paper until it caught up with the thousands of showings
    of its neighbours. Starting level with the least shown, it simply joins the rotation.
    """
    found: dict[int, int] = {}
    for pool in pools:
        missing = [c.question_id for c in pool if c.question_id not in exposure and c.question_id not in found]
        if not missing:
            continue
        known = [exposure[c.question_id] for c in pool if c.question_id in exposure]
        floor = min(known) if known else 0
        found.update((qid, floor) for qid in missing)
    return found


def count_shown(exposure: MutableMapping[int, int], question_ids: Sequence[int]) -> None:
    """Add one showing to each of these questions."""
    for qid in question_ids:
        exposure[qid] = exposure.get(qid, 0) + 1


def relative_spread(exposure: Mapping[int, int], pool: Sequence[HasQuestionId]) -> float:
    """The largest relative distance of a pool member's count from the pool's mean (0.2 = ±20 %)."""
    counts = [exposure.get(c.question_id, 0) for c in pool]
    mean = sum(counts) / len(counts) if counts else 0
    if not mean:
        return 0.0
    return max(abs(count - mean) for count in counts) / mean
