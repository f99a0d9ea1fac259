"""Drawing papers: counts, no repeats, shuffling, opaque ids, shortages."""

import json
import random
import re
from collections import Counter

import pytest

from quizapp.domain.errors import DomainError
from quizapp.domain.paper import (
    Candidate,
    DrawRule,
    NotEnoughQuestions,
    PaperItem,
    check_pools,
    draw_paper,
    from_dict,
    new_token,
    to_dict,
    to_scoring_item,
)

TOKEN = re.compile(r"^[a-z2-7]{10}$")


def pool(start, n, options=4):
    return [Candidate(question_id=i, option_count=options) for i in range(start, start + n)]


RULES = [
    DrawRule(banks=("drug-law",), type="single", count=10, points=5),
    DrawRule(banks=("safe",), type="multiple", count=5, points=6, category="儿童用药"),
    DrawRule(banks=("safe",), type="judge", count=5, points=4),
]
POOLS = [pool(1, 40), pool(100, 12, options=5), pool(200, 20, options=2)]


def draw(seed=1, **kwargs):
    return draw_paper(RULES, POOLS, random.Random(seed), **kwargs)


def ids_of(items):
    return [item.question_id for item in items]


class TestDrawPaper:
    def test_counts_per_rule_and_types(self):
        items = draw()
        assert len(items) == 20
        assert Counter(item.type for item in items) == {"single": 10, "multiple": 5, "judge": 5}
        assert all(1 <= i.question_id <= 40 for i in items if i.type == "single")
        assert all(100 <= i.question_id < 112 for i in items if i.type == "multiple")
        assert all(200 <= i.question_id < 220 for i in items if i.type == "judge")

    def test_points_and_partial_come_from_rule(self):
        items = draw()
        assert {i.points for i in items if i.type == "single"} == {5.0}
        assert {i.points for i in items if i.type == "judge"} == {4.0}
        assert {i.partial for i in items} == {"none"}

    def test_no_question_twice(self):
        for seed in range(20):
            ids = ids_of(draw(seed))
            assert len(ids) == len(set(ids))

    def test_deterministic_for_a_seed(self):
        assert draw(7) == draw(7)

    def test_different_seeds_give_different_papers(self):
        papers = {tuple(ids_of(draw(seed))) for seed in range(10)}
        assert len(papers) == 10

    def test_questions_are_shuffled_across_rules(self):
        types = [item.type for item in draw(3)]
        grouped = ["single"] * 10 + ["multiple"] * 5 + ["judge"] * 5
        assert sorted(types) == sorted(grouped)
        assert types != grouped

    def test_without_question_shuffle_rules_stay_in_order_and_pool_order(self):
        items = draw(3, shuffle_questions=False)
        assert [i.type for i in items] == ["single"] * 10 + ["multiple"] * 5 + ["judge"] * 5
        singles = ids_of(items[:10])
        assert singles == sorted(singles)

    def test_option_index_is_a_permutation(self):
        for item in draw(5):
            assert sorted(item.option_index) == list(range(len(item.option_ids)))

    def test_options_are_shuffled_for_choice_questions(self):
        choice = [i for i in draw(5) if i.type != "judge"]
        assert any(list(i.option_index) != sorted(i.option_index) for i in choice)

    def test_judge_options_keep_their_order(self):
        for seed in range(10):
            judges = [i for i in draw(seed) if i.type == "judge"]
            assert judges and all(i.option_index == (0, 1) for i in judges)

    def test_without_option_shuffle_order_is_stored_order(self):
        assert all(i.option_index == tuple(range(len(i.option_ids))) for i in draw(5, shuffle_options=False))

    def test_ids_are_opaque_and_unique_across_the_paper(self):
        items = draw(9)
        option_ids = [oid for item in items for oid in item.option_ids]
        keys = [item.key for item in items]
        assert len(option_ids) == len(set(option_ids))
        assert len(keys) == len(set(keys))
        assert not set(keys) & set(option_ids)
        assert all(TOKEN.match(token) for token in option_ids + keys)

    def test_option_ids_do_not_follow_stored_position(self):
        # If ids encoded the stored position, the same stored option would get the same id.
        first = {i.question_id: i for i in draw(1)}
        second = {i.question_id: i for i in draw(2)}
        common = set(first) & set(second)
        assert common
        for qid in common:
            assert not set(first[qid].option_ids) & set(second[qid].option_ids)

    def test_partial_kept_for_multiple_only(self):
        rules = [
            DrawRule(("b",), "multiple", 2, 6, partial="proportional"),
            DrawRule(("b",), "single", 2, 5, partial="proportional"),
        ]
        items = draw_paper(rules, [pool(1, 3), pool(10, 3)], random.Random(0))
        assert {i.type: i.partial for i in items} == {"multiple": "proportional", "single": "none"}

    def test_question_in_two_pools_is_used_once(self):
        rules = [DrawRule(("a",), "single", 5, 1), DrawRule(("a",), "single", 5, 1, category="x")]
        broad, narrow = pool(1, 10), pool(1, 5)  # the narrow pool is inside the broad one
        for seed in range(30):
            items = draw_paper(rules, [broad, narrow], random.Random(seed))
            assert sorted(ids_of(items)) == list(range(1, 11))

    def test_repeated_candidates_in_one_pool_count_once(self):
        rules = [DrawRule(("a",), "single", 3, 1)]
        with pytest.raises(NotEnoughQuestions):
            draw_paper(rules, [pool(1, 2) * 3], random.Random(0))

    def test_every_question_of_a_pool_can_be_drawn(self):
        seen = set()
        for seed in range(60):
            seen.update(ids_of(draw_paper(RULES[:1], POOLS[:1], random.Random(seed))))
        assert seen == set(range(1, 41))

    def test_pools_must_match_rules(self):
        with pytest.raises(ValueError):
            draw_paper(RULES, POOLS[:2], random.Random(0))

    def test_does_not_mutate_pools(self):
        pools = [list(p) for p in POOLS]
        draw_paper(RULES, pools, random.Random(0))
        assert pools == POOLS


class TestNotEnoughQuestions:
    def test_message_names_rule_and_numbers(self):
        rules = [DrawRule(("safe",), "multiple", 5, 6, category="儿童用药")]
        with pytest.raises(NotEnoughQuestions) as info:
            draw_paper(rules, [pool(1, 3)], random.Random(0))
        error = info.value
        assert error.code == "not_enough_questions"
        assert isinstance(error, DomainError)
        assert (error.needed, error.available) == (5, 3)
        for part in ("safe", "多选题", "儿童用药", "5", "3"):
            assert part in error.message

    def test_later_rule_short_because_of_overlap(self):
        rules = [DrawRule(("a",), "single", 4, 1), DrawRule(("a", "b"), "single", 3, 1)]
        pools = [pool(1, 4), pool(1, 6)]  # six distinct, seven needed
        with pytest.raises(NotEnoughQuestions) as info:
            check_pools(rules, pools)
        assert info.value.rule is rules[1]
        assert (info.value.needed, info.value.available) == (3, 2)
        assert "a、b" in info.value.message

    def test_check_pools_passes_when_enough(self):
        assert check_pools(RULES, POOLS) is None

    def test_check_pools_finds_assignment_greedy_order_would_miss(self):
        # Rule 1 could take 1..5 first; rule 2 can only use 1..5, so those must be left to it.
        rules = [DrawRule(("a",), "single", 5, 1), DrawRule(("a",), "single", 5, 1, category="x")]
        assert check_pools(rules, [pool(1, 10), pool(1, 5)]) is None
        with pytest.raises(NotEnoughQuestions):
            check_pools(rules, [pool(1, 9), pool(1, 5)])

    def test_empty_pool(self):
        with pytest.raises(NotEnoughQuestions) as info:
            check_pools([DrawRule(("x",), "judge", 1, 2)], [[]])
        assert info.value.available == 0


class TestTokens:
    def test_alphabet_and_length(self):
        rng = random.Random(0)
        assert all(TOKEN.match(new_token(rng)) for _ in range(100))
        assert re.fullmatch(r"[a-z2-7]{4}", new_token(rng, 4))

    def test_deterministic_and_varied(self):
        assert new_token(random.Random(1)) == new_token(random.Random(1))
        rng = random.Random(1)
        assert len({new_token(rng) for _ in range(1000)}) == 1000

    def test_bad_length(self):
        with pytest.raises(ValueError):
            new_token(random.Random(0), 0)


class TestSerialisation:
    def test_round_trip_through_json(self):
        for item in draw(4):
            data = json.loads(json.dumps(to_dict(item)))
            assert from_dict(data) == item

    def test_from_dict_rejects_damaged_data(self):
        data = to_dict(draw(4)[0])
        del data["option_ids"]
        with pytest.raises(DomainError) as info:
            from_dict(data)
        assert info.value.code == "corrupt_paper"

    def test_from_dict_rejects_mismatched_options(self):
        data = to_dict(draw(4)[0])
        data["option_index"] = data["option_index"][:-1]
        with pytest.raises(DomainError):
            from_dict(data)


def test_to_scoring_item_maps_stored_indexes_to_displayed_ids():
    item = PaperItem("k", 1, "multiple", 6.0, "proportional", ("x", "y", "z"), (2, 0, 1))
    scoring = to_scoring_item(item, [0, 2])
    assert scoring.correct == frozenset({"y", "x"})
    assert (scoring.key, scoring.points, scoring.partial) == ("k", 6.0, "proportional")
