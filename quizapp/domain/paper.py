"""Drawing a paper for one attempt: pick questions by the contest's rules, shuffle, hide ids."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.domain.errors import DomainError
from quizapp.domain.exposure import exposure_order, least_exposed
from quizapp.domain.scoring import ScoringItem

TYPES = ("single", "multiple", "judge")
TYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
TOKEN_LENGTH = 10


@dataclass(frozen=True)
class DrawRule:
    """Draw `count` questions of one type (and optionally one category) from one or more banks."""

    banks: tuple[str, ...]
    type: str
    count: int
    points: float
    category: str | None = None
    partial: str = "none"

    def describe(self) -> str:
        """Name the rule for people: banks, type and category."""
        text = f"题库 {'、'.join(self.banks)} 的{TYPE_LABELS.get(self.type, self.type)}"
        return text + (f"（分类：{self.category}）" if self.category else "")


@dataclass(frozen=True)
class Candidate:
    """A question that a rule may draw, with how many options it has."""

    question_id: int
    option_count: int


@dataclass(frozen=True)
class PaperItem:
    """One drawn question: opaque key and option ids, display order mapped to stored order."""

    key: str
    question_id: int
    type: str
    points: float
    partial: str
    option_ids: tuple[str, ...]
    option_index: tuple[int, ...]


class NotEnoughQuestions(DomainError):
    """A draw rule asks for more questions than its banks can still supply."""

    code = "not_enough_questions"

    def __init__(self, rule: DrawRule, needed: int, available: int):
        self.rule = rule
        self.needed = needed
        self.available = available
        super().__init__(f"{rule.describe()}不足：需要 {needed} 道，可用 {available} 道")


_TOKEN_PAIRS = tuple(TOKEN_ALPHABET[i & 31] + TOKEN_ALPHABET[i >> 5] for i in range(1024))


def new_token(rng: random.Random, length: int = TOKEN_LENGTH) -> str:
    """Return an opaque lowercase id over [a-z2-7], drawn from `rng`."""
    if length < 1:
        raise ValueError("length must be positive")
    bits = rng.getrandbits(5 * length)
    chars = []
    # Two characters per table look-up: a paper needs about a hundred ids on every start.
    for _ in range(length // 2):
        chars.append(_TOKEN_PAIRS[bits & 1023])
        bits >>= 10
    if length % 2:
        chars.append(TOKEN_ALPHABET[bits & 31])
    return "".join(chars)


def _distinct(pool: Iterable[Candidate]) -> list[Candidate]:
    """Drop repeated question ids within one pool, keeping the first occurrence."""
    seen: set[int] = set()
    unique = []
    for candidate in pool:
        if candidate.question_id not in seen:
            seen.add(candidate.question_id)
            unique.append(candidate)
    return unique


class _Assignment:
    """Give each rule its count of questions, no question twice (a bipartite matching).

    Greedy drawing could fail when pools overlap (a broad rule takes the questions a
    narrow rule needs) although a valid paper exists; an augmenting path moves a question
    to another rule instead, so a paper is refused only when none is possible.
    """

    def __init__(self, pools: Sequence[Sequence[Candidate]]):
        self.pools = pools
        self.owner: dict[int, int] = {}

    def add_one(self, rule_index: int) -> bool:
        """Give rule `rule_index` one more question, rerouting others if needed."""
        return self._augment(rule_index, set(), set())

    def _augment(self, rule_index: int, seen_questions: set[int], seen_rules: set[int]) -> bool:
        """Find a free question for the rule, or free one up by moving its owner elsewhere."""
        seen_rules.add(rule_index)
        pool = self.pools[rule_index]
        # Free questions first, in pool order, so that disjoint pools are sampled plainly.
        for candidate in pool:
            if candidate.question_id not in self.owner:
                self.owner[candidate.question_id] = rule_index
                return True
        for candidate in pool:
            qid = candidate.question_id
            holder = self.owner[qid]
            if qid in seen_questions or holder == rule_index or holder in seen_rules:
                continue
            seen_questions.add(qid)
            if self._augment(holder, seen_questions, seen_rules):
                self.owner[qid] = rule_index
                return True
        return False

    def taken_by(self, rule_index: int) -> list[Candidate]:
        """The candidates given to a rule, in its pool order."""
        return [c for c in self.pools[rule_index] if self.owner.get(c.question_id) == rule_index]


def _assign(rules: Sequence[DrawRule], pools: Sequence[Sequence[Candidate]]) -> _Assignment:
    """Fill the rules in order; raise NotEnoughQuestions for the first one left short."""
    if len(rules) != len(pools):
        raise ValueError("one pool is needed for each rule")
    assignment = _Assignment(pools)
    for index, rule in enumerate(rules):
        for got in range(max(rule.count, 0)):
            if not assignment.add_one(index):
                raise NotEnoughQuestions(rule, rule.count, got)
    return assignment


def check_pools(rules: Sequence[DrawRule], pools: Sequence[Sequence[Candidate]]) -> None:
    """Raise NotEnoughQuestions unless a paper can be drawn (each question used at most once)."""
    _assign(rules, [_distinct(pool) for pool in pools])


def draw_paper(
    rules: Sequence[DrawRule],
    pools: Sequence[Sequence[Candidate]],
    rng: random.Random,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
    exposure: Mapping[int, int] | None = None,
) -> list[PaperItem]:
    """Draw one paper: pools[i] feeds rules[i]; no question twice; ids are opaque and unique.

    With `exposure` (question id -> times shown so far) each rule takes its least shown
    questions, at random among equally shown ones; without it, a plain random sample.
    """
    distinct = [_distinct(pool) for pool in pools]
    picks = _sample_disjoint(rules, distinct, rng, exposure) if _disjoint(distinct) else None
    if picks is None:
        # Shuffling the pool before the matching makes its picks a random sample; ordering it
        # least shown first makes the matching, which takes free questions in pool order, prefer those.
        shuffled = [exposure_order(candidates, exposure, rng) for candidates in distinct]
        assignment = _assign(rules, shuffled)
        picks = [assignment.taken_by(index) for index in range(len(rules))]
    used_tokens: set[str] = set()
    items = []
    for index, rule in enumerate(rules):
        picked = picks[index]
        if not shuffle_questions:
            position = {c.question_id: n for n, c in enumerate(_distinct(pools[index]))}
            picked.sort(key=lambda c: position[c.question_id])
        items.extend(_make_item(rule, c, rng, used_tokens, shuffle_options) for c in picked)
    if shuffle_questions:
        rng.shuffle(items)
    return items


def _disjoint(pools: Sequence[Sequence[Candidate]]) -> bool:
    """True when no question sits in two pools (the usual case: rules differ by type)."""
    ids = [c.question_id for pool in pools for c in pool]
    return len(ids) == len(set(ids))


def _sample_disjoint(rules: Sequence[DrawRule], pools: Sequence[list[Candidate]], rng: random.Random,
                     exposure: Mapping[int, int] | None = None) -> list[list[Candidate]]:
    """A random (or least-shown) sample per pool, the fast path when pools cannot compete for a question."""
    if len(rules) != len(pools):
        raise ValueError("one pool is needed for each rule")
    picks = []
    for rule, pool in zip(rules, pools, strict=True):
        if rule.count > len(pool):
            raise NotEnoughQuestions(rule, rule.count, len(pool))
        if exposure is None:
            picks.append(rng.sample(pool, max(rule.count, 0)))
        else:
            picks.append(least_exposed(pool, rule.count, exposure, rng))
    return picks


def _unique_token(rng: random.Random, used: set[str]) -> str:
    """Draw tokens until one is new to this paper (collisions are rare but must not happen)."""
    while True:
        token = new_token(rng)
        if token not in used:
            used.add(token)
            return token


def _make_item(
    rule: DrawRule,
    candidate: Candidate,
    rng: random.Random,
    used: set[str],
    shuffle_options: bool,
) -> PaperItem:
    """Build the PaperItem for one drawn question."""
    order = list(range(candidate.option_count))
    # Judge options stay 正确 then 错误: people expect that order, and it reveals nothing.
    if shuffle_options and rule.type != "judge":
        rng.shuffle(order)
    return PaperItem(
        key=_unique_token(rng, used),
        question_id=candidate.question_id,
        type=rule.type,
        points=float(rule.points),
        partial=rule.partial if rule.type == "multiple" else "none",
        option_ids=tuple(_unique_token(rng, used) for _ in order),
        option_index=tuple(order),
    )


def to_scoring_item(item: PaperItem, correct_indexes: Iterable[int]) -> ScoringItem:
    """Turn a paper item and its question's correct stored indexes into a ScoringItem."""
    wanted = set(correct_indexes)
    correct = frozenset(
        option_id
        for option_id, stored in zip(item.option_ids, item.option_index, strict=True)
        if stored in wanted
    )
    return ScoringItem(key=item.key, points=item.points, partial=item.partial, correct=correct)


def to_dict(item: PaperItem) -> dict[str, Any]:
    """Return a JSON-serialisable dict of a paper item (stored on the attempt row)."""
    return {
        "key": item.key,
        "question_id": item.question_id,
        "type": item.type,
        "points": item.points,
        "partial": item.partial,
        "option_ids": list(item.option_ids),
        "option_index": list(item.option_index),
    }


def from_dict(data: Mapping[str, Any]) -> PaperItem:
    """Rebuild a paper item from `to_dict` output; raise DomainError if it is damaged."""
    try:
        item = PaperItem(
            key=str(data["key"]),
            question_id=int(data["question_id"]),
            type=str(data["type"]),
            points=float(data["points"]),
            partial=str(data.get("partial", "none")),
            option_ids=tuple(str(x) for x in data["option_ids"]),
            option_index=tuple(int(x) for x in data["option_index"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError(f"试卷数据已损坏：{exc}", code="corrupt_paper") from None
    if len(item.option_ids) != len(item.option_index):
        raise DomainError("试卷数据已损坏：选项数量不一致", code="corrupt_paper")
    return item
