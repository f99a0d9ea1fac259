"""The statistics' arithmetic: point-biserial by hand, score bands, review flags, report prose."""

from __future__ import annotations

import math
from datetime import date

import pytest

from quizapp.domain.item_stats import (
    OptionFigure,
    band_index,
    count_in_bands,
    point_biserial,
    review_flags,
    score_bands,
)
from quizapp.domain.report_text import ReportFacts, summary_paragraphs


def test_point_biserial_matches_a_case_worked_by_hand():
    # x (item right) = 1, 1, 0, 0 and y (rest of the score) = 4, 3, 2, 1.
    # Deviations: x ±0.5, y 1.5, 0.5, -0.5, -1.5 → Σdxdy = 2, Σdx² = 1, Σdy² = 5 → r = 2/√5.
    x, y = [1, 1, 0, 0], [4, 3, 2, 1]
    value = point_biserial(4, sum(x), sum(y), sum(v * v for v in y), sum(a * b for a, b in zip(x, y, strict=True)))
    assert value == pytest.approx(2 / math.sqrt(5))


def test_point_biserial_is_negative_when_the_stronger_get_it_wrong():
    x, y = [0, 0, 1, 1], [4, 3, 2, 1]
    assert point_biserial(4, 2, 10, 30, 3) == pytest.approx(-2 / math.sqrt(5))
    assert sum(a * b for a, b in zip(x, y, strict=True)) == 3


@pytest.mark.parametrize("args", [(1, 1, 5, 25, 5), (3, 3, 6, 14, 6), (3, 0, 6, 14, 0), (3, 1, 6, 12, 2)])
def test_point_biserial_is_none_without_spread(args):
    # one answer; everybody right; everybody wrong; everybody the same rest score (2, 2, 2)
    assert point_biserial(*args) is None


def test_bands_run_from_zero_to_the_maximum_without_gaps():
    bands = score_bands(100)
    assert (bands[0].start, bands[-1].end, len(bands)) == (0, 100, 10)
    assert all(a.end + 1 == b.start for a, b in zip(bands, bands[1:], strict=False))
    assert score_bands(37)[-1].end == 37
    assert [(b.start, b.end) for b in score_bands(3)] == [(0, 0), (1, 1), (2, 3)]


def test_scores_fall_in_the_band_of_their_whole_part():
    bands = score_bands(50)
    assert band_index(bands, 50) == len(bands) - 1
    assert band_index(bands, 44.9) == 8
    assert count_in_bands(bands, [(0, 2), (4.5, 1), (5, 3), (50, 1)])[:2] == [3, 3]


def _options(*chosen, right=0):
    return [OptionFigure("ABCD"[i], str(i), i == right, n) for i, n in enumerate(chosen)]


def test_review_flags():
    assert review_flags(100, 0.97, 0.1, _options(97, 1, 1, 1)) == ["too_easy"]
    assert review_flags(100, 0.1, -0.2, _options(10, 50, 40, 0)) == ["too_hard", "negative_discrimination",
                                                                    "unused_distractor"]
    assert review_flags(5, 0.0, -0.9, _options(0, 5, 0, 0)) == []  # too few answers to judge


def test_summary_paragraphs_carry_the_figures():
    facts = ReportFacts(title="2026年药品安全网络知识竞赛", first_day=date(2026, 11, 15), last_day=date(2026, 12, 15),
                        scans=981805, participants=258274, attempts=400000, finished=200000, eligible=150000,
                        average_score=86.5, max_score=100, pass_score=90, top_regions=[("通辽市", 50000)],
                        strong_topics=[("儿童用药", 0.93)], weak_topics=[("药品追溯", 0.41)],
                        misconceptions=["“抗生素”一题有 40% 的作答者选了“可以预防感冒”"], winners=None)
    text = "\n".join(summary_paragraphs(facts))
    for expected in ("2026年11月15日至2026年12月15日", "981,805", "258,274", "完成率 77.4%", "86.5 分",
                     "通辽市（50,000 人）", "“药品追溯”（正确率 41.0%）", "抽奖尚未进行"):
        assert expected in text
