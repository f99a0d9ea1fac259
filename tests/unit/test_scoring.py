"""Scoring of answer sheets and ranking of attempts."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from quizapp.domain.scoring import (
    RankEntry,
    ScoringItem,
    best_per_participant,
    rank,
    score_item,
    score_sheet,
)

T0 = datetime(2023, 11, 20, 8, 0, tzinfo=UTC)


def single(key="q1", points=5.0, correct="b"):
    return ScoringItem(key=key, points=points, partial="none", correct=frozenset({correct}))


def multiple(key="m1", points=6.0, correct=("a", "c", "d"), partial="none"):
    return ScoringItem(key=key, points=points, partial=partial, correct=frozenset(correct))


class TestScoreItem:
    def test_single_right(self):
        result = score_item(single(), ["b"])
        assert result.correct is True
        assert result.awarded == 5.0
        assert result.chosen == ("b",)
        assert result.correct_ids == ("b",)

    def test_single_wrong(self):
        result = score_item(single(), ["a"])
        assert result.correct is False and result.awarded == 0

    def test_nothing_chosen_scores_zero(self):
        result = score_item(single(), [])
        assert result.correct is False and result.awarded == 0 and result.chosen == ()

    def test_two_options_on_single_is_wrong(self):
        assert score_item(single(), ["a", "b"]).awarded == 0

    def test_multiple_all_or_nothing_needs_exact_set(self):
        item = multiple()
        assert score_item(item, ["d", "a", "c"]).awarded == 6.0
        assert score_item(item, ["a", "c"]).awarded == 0
        assert score_item(item, ["a", "b", "c", "d"]).awarded == 0

    def test_duplicates_are_ignored_and_chosen_sorted(self):
        result = score_item(multiple(), ["d", "a", "c", "a"])
        assert result.correct and result.chosen == ("a", "c", "d")
        assert result.correct_ids == ("a", "c", "d")

    def test_proportional_share_when_no_wrong_option(self):
        result = score_item(multiple(partial="proportional"), ["a", "c"])
        assert result.correct is False
        assert result.awarded == 4.0

    def test_proportional_rounds_to_two_decimals(self):
        item = multiple(points=5.0, partial="proportional")
        assert score_item(item, ["a"]).awarded == 1.67

    def test_proportional_any_wrong_option_scores_zero(self):
        item = multiple(partial="proportional")
        assert score_item(item, ["a", "c", "b"]).awarded == 0
        assert score_item(item, ["b"]).awarded == 0

    def test_proportional_full_set_is_full_marks(self):
        result = score_item(multiple(partial="proportional"), ["a", "c", "d"])
        assert result.correct is True and result.awarded == 6.0

    def test_proportional_nothing_chosen_scores_zero(self):
        assert score_item(multiple(partial="proportional"), []).awarded == 0

    def test_bare_string_is_one_option_not_characters(self):
        item = ScoringItem(key="k", points=2, partial="none", correct=frozenset({"ab"}))
        assert score_item(item, "ab").correct is True

    def test_none_means_nothing_chosen(self):
        assert score_item(single(), None).awarded == 0


class TestScoreSheet:
    def test_totals(self):
        items = [
            single("q1", 5, "b"),
            single("q2", 5, "x"),
            multiple("m1", 6, ("a", "c"), "proportional"),
            ScoringItem("j1", 4, "none", frozenset({"t"})),
        ]
        answers = {"q1": ["b"], "q2": ["y"], "m1": ["a"], "j1": ["t"], "stranger": ["z"]}
        result = score_sheet(items, answers)
        assert result.score == 12.0  # 5 + 0 + 3 + 4
        assert result.max_score == 20.0
        assert result.correct_count == 2
        assert [item.key for item in result.items] == ["q1", "q2", "m1", "j1"]
        assert [item.awarded for item in result.items] == [5.0, 0.0, 3.0, 4.0]

    def test_unanswered_items_score_zero(self):
        result = score_sheet([single("q1"), single("q2")], {})
        assert result.score == 0 and result.correct_count == 0 and result.max_score == 10

    def test_score_rounded_without_float_noise(self):
        items = [single(f"q{i}", 0.1, "a") for i in range(3)]
        result = score_sheet(items, {f"q{i}": ["a"] for i in range(3)})
        assert result.score == 0.3 and result.max_score == 0.3

    def test_empty_sheet(self):
        result = score_sheet([], {})
        assert (result.score, result.max_score, result.correct_count, result.items) == (0, 0, 0, ())


def entry(pid, score, duration, seconds_after=0, ref=""):
    return RankEntry(pid, score, duration, T0 + timedelta(seconds=seconds_after), ref)


class TestRanking:
    def test_order_score_then_duration_then_submission_then_id(self):
        entries = [
            entry(1, 80, 100, 0),
            entry(2, 90, 300, 0),
            entry(3, 90, 200, 50),
            entry(4, 90, 200, 10),
            entry(6, 70, 50, 0),
            entry(5, 70, 50, 0),
        ]
        ranked = rank(entries)
        assert [e.participant_id for _, e in ranked] == [4, 3, 2, 1, 5, 6]
        assert [r for r, _ in ranked] == [1, 2, 3, 4, 5, 5]

    def test_competition_ranking_skips_after_tie(self):
        ranked = rank([entry(1, 90, 60), entry(2, 90, 60), entry(3, 80, 60)])
        assert [r for r, _ in ranked] == [1, 1, 3]
        assert [e.participant_id for _, e in ranked] == [1, 2, 3]

    def test_same_score_different_duration_not_tied(self):
        ranked = rank([entry(1, 90, 61), entry(2, 90, 60)])
        assert [(r, e.participant_id) for r, e in ranked] == [(1, 2), (2, 1)]

    def test_submission_times_compared_across_zones(self):
        cst = timezone(timedelta(hours=8))
        early = RankEntry(1, 90, 60, datetime(2023, 11, 20, 15, 0, tzinfo=cst))  # 07:00 UTC
        late = RankEntry(2, 90, 60, datetime(2023, 11, 20, 7, 30, tzinfo=UTC))
        assert [e.participant_id for _, e in rank([late, early])] == [1, 2]

    def test_float_noise_does_not_break_ties(self):
        ranked = rank([entry(1, 0.1 + 0.2, 60), entry(2, 0.3, 60)])
        assert [r for r, _ in ranked] == [1, 1]

    def test_empty(self):
        assert rank([]) == []

    def test_best_per_participant_keeps_best_attempt(self):
        entries = [
            entry(1, 80, 100, 0, "a"),
            entry(1, 90, 300, 10, "b"),
            entry(1, 90, 200, 20, "c"),
            entry(2, 95, 500, 0, "d"),
            entry(2, 60, 10, 5, "e"),
        ]
        best = best_per_participant(entries)
        assert [(e.participant_id, e.attempt_ref) for e in best] == [(2, "d"), (1, "c")]

    def test_best_per_participant_earlier_submission_wins_exact_tie(self):
        best = best_per_participant([entry(1, 90, 60, 30, "late"), entry(1, 90, 60, 10, "early")])
        assert [e.attempt_ref for e in best] == ["early"]

    def test_best_then_rank_lists_each_participant_once(self):
        entries = [entry(1, 90, 60, 0), entry(1, 95, 60, 5), entry(2, 95, 60, 5)]
        ranked = rank(best_per_participant(entries))
        assert [(r, e.participant_id) for r, e in ranked] == [(1, 1), (1, 2)]

    @pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
    def test_rank_does_not_depend_on_input_order(self, order):
        entries = [entry(3, 50, 10), entry(1, 50, 10), entry(2, 99, 999)]
        ranked = rank([entries[i] for i in order])
        assert [(r, e.participant_id) for r, e in ranked] == [(1, 2), (2, 1), (2, 3)]
