"""Exposure balancing in the paper draw: least shown first, random among equals, every rule kept."""

import random
from collections import Counter

import pytest

from quizapp.domain.exposure import (
    count_shown,
    exposure_order,
    least_exposed,
    newcomers,
    relative_spread,
)
from quizapp.domain.paper import Candidate, DrawRule, NotEnoughQuestions, draw_paper


def pool(start, n, options=4):
    return [Candidate(question_id=i, option_count=options) for i in range(start, start + n)]


def ids_of(items):
    return [item.question_id for item in items]


def run_papers(rules, pools, papers, seed, balanced=True, checkpoints=()):
    """Draw `papers` papers, counting showings; returns the final counts and those at each checkpoint."""
    rng = random.Random(seed)
    shown: dict[int, int] = {}
    seen_at = {}
    for number in range(1, papers + 1):
        items = draw_paper(rules, pools, rng, exposure=shown if balanced else None)
        count_shown(shown, ids_of(items))
        if number in checkpoints:
            seen_at[number] = dict(shown)
    return shown, seen_at


# (pool size, drawn per paper, papers after which plain random is past ±20 %, or None). With
# 12 choosing 10 each question is in most papers, so random stays inside ±20 % yet still drifts
# dozens of showings apart; with 30 choosing 5 it is past ±20 % after 100 papers.
SMALL_CASES = [
    (12, 10, None),
    (30, 5, 100),
]


class TestLeastExposed:
    def test_takes_the_least_shown_first(self):
        candidates = pool(1, 10)
        exposure = {i: 5 for i in range(1, 11)} | {3: 1, 7: 2, 9: 0}
        picked = least_exposed(candidates, 3, exposure, random.Random(0))
        assert sorted(c.question_id for c in picked) == [3, 7, 9]

    def test_unknown_questions_count_as_never_shown(self):
        picked = least_exposed(pool(1, 6), 2, {1: 4, 2: 4, 3: 4, 4: 4}, random.Random(0))
        assert sorted(c.question_id for c in picked) == [5, 6]

    def test_ties_are_broken_at_random_not_by_id(self):
        candidates = pool(1, 20)
        exposure = dict.fromkeys(range(1, 21), 3)
        picks = [tuple(sorted(c.question_id for c in least_exposed(candidates, 5, exposure, random.Random(seed))))
                 for seed in range(30)]
        assert len(set(picks)) == 30  # different seeds, different papers
        assert (1, 2, 3, 4, 5) not in picks  # not "the first by id"
        assert Counter(qid for pick in picks for qid in pick).keys() > {1, 20}  # both ends get drawn

    def test_partial_level_is_sampled_and_lower_levels_all_taken(self):
        candidates = pool(1, 12)
        exposure = {1: 0, 2: 0} | dict.fromkeys(range(3, 13), 1)
        for seed in range(20):
            picked = {c.question_id for c in least_exposed(candidates, 5, exposure, random.Random(seed))}
            assert {1, 2} <= picked and len(picked) == 5

    def test_count_bounds(self):
        assert least_exposed(pool(1, 3), 0, {}, random.Random(0)) == []
        with pytest.raises(ValueError):
            least_exposed(pool(1, 3), 4, {}, random.Random(0))


class TestExposureOrder:
    def test_orders_by_level_and_shuffles_within(self):
        candidates = pool(1, 30)
        exposure = {i: i % 3 for i in range(1, 31)}
        orders = {tuple(c.question_id for c in exposure_order(candidates, exposure, random.Random(s))) for s in range(5)}
        assert len(orders) == 5
        for order in orders:
            assert [exposure[qid] for qid in order] == sorted(exposure[qid] for qid in order)
            assert sorted(order) == list(range(1, 31))

    def test_without_counts_it_is_a_shuffle(self):
        order = [c.question_id for c in exposure_order(pool(1, 30), None, random.Random(1))]
        assert sorted(order) == list(range(1, 31)) and order != sorted(order)


class TestBalance:
    @pytest.mark.parametrize(("size", "count", "early"), SMALL_CASES)
    def test_balanced_stays_within_20_percent_and_plain_random_spreads_wider(self, size, count, early):
        rules = [DrawRule(("b",), "single", count, 1)]
        pools = [pool(1, size)]
        marks = (50, 100, 1000, 10_000)
        balanced, balanced_at = run_papers(rules, pools, 10_000, seed=7, checkpoints=marks)
        for counts in balanced_at.values():  # within one showing of each other at any time
            assert relative_spread(counts, pools[0]) <= 0.2
            assert max(counts.values()) - min(counts.values()) <= 1
        assert sum(balanced.values()) == 10_000 * count
        for seed in range(3):
            plain, plain_at = run_papers(rules, pools, 10_000, seed=seed, balanced=False, checkpoints=marks)
            if early:
                assert relative_spread(plain_at[early], pools[0]) > 0.2
            # Even after 10,000 papers random is measurably worse: dozens of showings apart, not one.
            assert max(plain.values()) - min(plain.values()) > 20
            assert relative_spread(plain, pools[0]) > 10 * relative_spread(balanced, pools[0])

    def test_a_whole_contest_paper_over_a_325_question_bank(self):
        rules = [DrawRule(("b",), "single", 10, 5), DrawRule(("b",), "multiple", 5, 6),
                 DrawRule(("b",), "judge", 5, 4, category="法规")]
        pools = [pool(1, 169), pool(200, 78), pool(300, 78, options=2)]
        shown, _ = run_papers(rules, pools, 10_000, seed=3)
        for candidates in pools:
            assert relative_spread(shown, candidates) <= 0.2
            levels = [shown[c.question_id] for c in candidates]
            assert max(levels) - min(levels) <= 1

    def test_overlapping_pools_balance_too(self):
        # The matching path: the narrow rule's questions also sit in the broad pool.
        rules = [DrawRule(("a",), "single", 6, 1), DrawRule(("a",), "single", 2, 1, category="x")]
        pools = [pool(1, 24), pool(1, 6)]
        shown, _ = run_papers(rules, pools, 10_000, seed=5)
        assert relative_spread(shown, pools[0]) <= 0.2
        assert relative_spread(shown, pools[1]) <= 0.2
        assert max(shown.values()) - min(shown.values()) <= 3
        # Plain random shows the shared questions in both rules' share: over twice as often as the rest.
        plain, _ = run_papers(rules, pools, 10_000, seed=5, balanced=False)
        assert relative_spread(plain, pools[0]) > 0.2

    def test_workers_each_balancing_their_share_balance_the_whole(self):
        rules = [DrawRule(("b",), "single", 5, 1)]
        pools = [pool(1, 30)]
        rng = random.Random(11)
        workers = [{} for _ in range(4)]
        total: dict[int, int] = {}
        for _ in range(4000):
            counts = rng.choice(workers)  # the load balancer sends each start to some worker
            ids = ids_of(draw_paper(rules, pools, rng, exposure=counts))
            count_shown(counts, ids)
            count_shown(total, ids)
        assert max(total.values()) - min(total.values()) <= len(workers)
        assert relative_spread(total, pools[0]) <= 0.2


class TestDrawRulesStillHold:
    RULES = [
        DrawRule(("drug-law",), "single", 10, 5),
        DrawRule(("safe",), "multiple", 5, 6, category="儿童用药", partial="proportional"),
        DrawRule(("safe",), "judge", 5, 4),
    ]
    POOLS = [pool(1, 40), pool(100, 12, options=5), pool(200, 20, options=2)]

    def test_counts_types_and_pools_with_uneven_exposure(self):
        exposure = {i: i % 4 for i in range(1, 220)}
        for seed in range(10):
            items = draw_paper(self.RULES, self.POOLS, random.Random(seed), exposure=exposure)
            assert Counter(i.type for i in items) == {"single": 10, "multiple": 5, "judge": 5}
            assert all(1 <= i.question_id <= 40 for i in items if i.type == "single")
            assert all(100 <= i.question_id < 112 for i in items if i.type == "multiple")
            assert all(200 <= i.question_id < 220 for i in items if i.type == "judge")
            assert {i.partial for i in items if i.type == "multiple"} == {"proportional"}
            assert len(set(ids_of(items))) == 20

    def test_shortage_is_still_refused(self):
        with pytest.raises(NotEnoughQuestions):
            draw_paper([DrawRule(("a",), "single", 5, 1)], [pool(1, 4)], random.Random(0), exposure={})

    def test_overlap_still_finds_the_only_assignment(self):
        rules = [DrawRule(("a",), "single", 5, 1), DrawRule(("a",), "single", 5, 1, category="x")]
        exposure = dict.fromkeys(range(1, 6), 0) | dict.fromkeys(range(6, 11), 9)  # broad rule wants 1..5
        items = draw_paper(rules, [pool(1, 10), pool(1, 5)], random.Random(0), exposure=exposure)
        assert sorted(ids_of(items)) == list(range(1, 11))

    def test_equal_counts_give_different_papers_per_seed(self):
        exposure = dict.fromkeys(range(1, 220), 2)
        papers = {tuple(sorted(ids_of(draw_paper(self.RULES, self.POOLS, random.Random(seed), exposure=exposure))))
                  for seed in range(20)}
        assert len(papers) == 20
        # Not "the lowest ids of each pool": the singles of the papers are spread over the pool.
        singles = Counter(qid for paper in papers for qid in paper if qid <= 40)
        assert len(singles) > 30 and max(singles) > 30

    def test_same_seed_and_counts_same_paper(self):
        exposure = {i: i % 3 for i in range(1, 220)}
        first = draw_paper(self.RULES, self.POOLS, random.Random(4), exposure=exposure)
        assert first == draw_paper(self.RULES, self.POOLS, random.Random(4), exposure=exposure)

    def test_the_draw_does_not_change_the_counts(self):
        exposure = {i: 1 for i in range(1, 41)}
        draw_paper(self.RULES, self.POOLS, random.Random(0), exposure=exposure)
        assert exposure == {i: 1 for i in range(1, 41)}


class TestNewcomers:
    def test_a_new_question_joins_at_its_pool_floor(self):
        pools = [pool(1, 5), pool(10, 3)]
        counts = {1: 40, 2: 41, 3: 40, 4: 41, 10: 7, 11: 8}
        assert newcomers(pools, counts) == {5: 40, 12: 7}

    def test_nothing_counted_yet_starts_at_zero(self):
        assert newcomers([pool(1, 3)], {}) == {1: 0, 2: 0, 3: 0}

    def test_a_newcomer_does_not_flood_every_paper(self):
        rules = [DrawRule(("b",), "single", 5, 1)]
        pools = [pool(1, 30)]
        shown, _ = run_papers(rules, [pool(1, 29)], 600, seed=2)
        shown.update(newcomers(pools, shown))
        rng = random.Random(9)
        appearances = 0
        for _ in range(60):
            ids = ids_of(draw_paper(rules, pools, rng, exposure=shown))
            appearances += 30 in ids
            count_shown(shown, ids)
        assert appearances <= 20  # about 10 expected (5 in 30); from zero it would be all 60
