"""The arithmetic of contest statistics: rates, score bands, discrimination and review flags.

Everything here works on totals (counts and sums), never on lists of attempts, so the same
formulas serve a test fixture of five attempts and a national contest of a million.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BAND_COUNT = 10
TOO_EASY = 0.95  # more right than this: the question tells nobody apart
TOO_HARD = 0.20  # fewer right than this: a wrong key, a trick wording or an unknown rule
MIN_ANSWERS_FOR_FLAGS = 20  # below this, a rate is noise, not a finding

FLAG_NAMES = {
    "too_easy": "过于简单（正确率 > 95%）",
    "too_hard": "过难（正确率 < 20%）",
    "negative_discrimination": "区分度为负（总分高的人反而更常答错）",
    "unused_distractor": "有干扰项无人选择",
}


def rate(part: float, whole: float) -> float | None:
    """part / whole as a fraction, or None when there is nothing to divide by."""
    return part / whole if whole else None


def point_biserial(n: int, sum_x: float, sum_y: float, sum_y2: float, sum_xy: float) -> float | None:
    """The correlation of a 0/1 item score x with the rest of the score y, from running sums.

    With x dichotomous, Σx² = Σx, so five sums are all the Pearson formula needs. None when
    everybody got the item right (or wrong), or everybody had the same rest score.
    """
    if n < 2:
        return None
    covariance = n * sum_xy - sum_x * sum_y
    spread_x = n * sum_x - sum_x * sum_x
    spread_y = n * sum_y2 - sum_y * sum_y
    # Float sums of a million squares can leave a tiny negative or near-zero residue.
    if spread_x <= 0 or spread_y <= 1e-9 * max(1.0, n * sum_y2):
        return None
    value = covariance / math.sqrt(spread_x * spread_y)
    return max(-1.0, min(1.0, value))


@dataclass(frozen=True)
class Band:
    """A score band, both ends included."""

    start: int
    end: int


def score_bands(max_score: float, count: int = BAND_COUNT) -> list[Band]:
    """Consecutive bands from 0 to the maximum score, as equal in width as whole points allow."""
    top = max(1, math.ceil(max_score))
    width = max(1, math.ceil(top / count))
    starts = list(range(0, top, width))
    bands = [Band(start, start + width - 1) for start in starts]
    bands[-1] = Band(bands[-1].start, top)
    return bands


def band_index(bands: Sequence[Band], score: float) -> int:
    """Which band a score falls in; a fractional score counts in the band of its whole part."""
    width = bands[0].end - bands[0].start + 1
    return min(max(0, int(score // width)), len(bands) - 1)


def count_in_bands(bands: Sequence[Band], score_counts: Iterable[tuple[float, int]]) -> list[int]:
    """How many scores fall in each band, from (score, how many people have it) pairs."""
    counts = [0] * len(bands)
    for score, number in score_counts:
        counts[band_index(bands, score)] += number
    return counts


@dataclass(frozen=True)
class OptionFigure:
    """One option of a question in the item analysis."""

    label: str
    text: str
    correct: bool
    chosen: int


def review_flags(answered: int, correct_rate: float | None, discrimination: float | None,
                 options: Sequence[OptionFigure]) -> list[str]:
    """The reasons an organizer should look at a question again (codes of FLAG_NAMES)."""
    if answered < MIN_ANSWERS_FOR_FLAGS or correct_rate is None:
        return []
    flags = []
    if correct_rate > TOO_EASY:
        flags.append("too_easy")
    if correct_rate < TOO_HARD:
        flags.append("too_hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    if any(not option.correct and option.chosen == 0 for option in options):
        flags.append("unused_distractor")
    return flags


def conversion(step: int, previous: int) -> float | None:
    """The share of the previous funnel step that reached this one."""
    return rate(step, previous)
