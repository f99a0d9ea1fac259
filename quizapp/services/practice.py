"""Practice rounds (练习模式): drawn by the contest's own rules, each answer shown at once, nothing stored.

A practice round lives only in the visitor's signed session cookie, as question ids and a seed. It
never writes to the database, so it counts in no statistic, leaderboard, tally or prize draw.

Why practice may show answers although the contest's round must not: practice is a learning
resource (this is science outreach), not the contest, and nothing earned here counts. The price is
that the same banks become readable one question at a time; the web layer rate-limits per address
so that they cannot be scraped at speed, and an organizer who minds can keep practice off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..domain.errors import DomainError, ValidationError
from ..domain.paper import DrawRule, NotEnoughQuestions, draw_paper
from ..domain.timing import local_day
from ..models import Contest
from .contests import contest_pools, draw_rules
from .question_cache import QuestionRecord
from .question_cache import questions as question_cache

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_QUESTIONS = 100  # ids only, but a browser drops a cookie over 4 KB: cap a huge round's length


class NoPractice(DomainError):
    """The contest's banks hold no question that practice could draw."""

    code = "no_practice"


@dataclass
class PracticeRound:
    """One practice round as the cookie keeps it: ids in order, where the visitor is, what they got right."""

    slug: str
    ids: list[int]
    seed: int
    position: int = 0  # 0-based index of the current question
    marks: str = ""  # one "1" (right) or "0" (wrong) per answered question
    chosen: list[int] | None = field(default=None)  # display positions picked, once the current one is answered

    @property
    def finished(self) -> bool:
        """True once every question has been answered and left."""
        return self.position >= len(self.ids)

    @property
    def answered(self) -> bool:
        """True while the current question's answer is being shown."""
        return self.chosen is not None

    def to_cookie(self) -> dict[str, Any]:
        """The compact form kept in the session (short keys: the cookie rides on every request)."""
        data: dict[str, Any] = {"s": self.slug, "q": self.ids, "r": self.seed, "p": self.position, "m": self.marks}
        if self.chosen is not None:
            data["c"] = self.chosen
        return data

    @classmethod
    def from_cookie(cls, data: Any) -> PracticeRound | None:
        """Rebuild a round from `to_cookie` output; None for anything damaged or of an older shape."""
        try:
            state = cls(slug=str(data["s"]), ids=[int(x) for x in data["q"]], seed=int(data["r"]),
                        position=int(data["p"]), marks=str(data["m"]),
                        chosen=[int(x) for x in data["c"]] if data.get("c") is not None else None)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        consistent = (0 <= state.position <= len(state.ids) and len(state.marks) == state.position + state.answered
                      and not (state.finished and state.answered))
        return state if consistent and set(state.marks) <= {"0", "1"} else None


def _fitted_rules(rules: list[DrawRule], pools) -> list[DrawRule]:
    """The rules with each count cut to what its pool can give: practice runs on whatever the banks hold."""
    return [replace(rule, count=min(rule.count, len({c.question_id for c in pool})))
            for rule, pool in zip(rules, pools, strict=True)]


def _draw_ids(rules: list[DrawRule], pools, rng: random.Random) -> list[int]:
    """Question ids of one paper by the paper-drawing code; a rule left short by overlapping pools shrinks."""
    rules = _fitted_rules(rules, pools)
    for _ in range(sum(rule.count for rule in rules) + 1):
        try:
            return [item.question_id for item in draw_paper(rules, pools, rng)]
        except NotEnoughQuestions as exc:
            # Only overlapping pools get here: shrink the rule that was short and draw again.
            index = next((i for i, rule in enumerate(rules) if rule is exc.rule or rule == exc.rule), None)
            if index is None or exc.available >= rules[index].count:
                break
            rules[index] = replace(rules[index], count=exc.available)
    return []


def new_round(contest: Contest, now: datetime, rng: random.Random, pool_ttl: float = 0.0) -> PracticeRound:
    """Draw a practice round by the contest's rules (reads only); NoPractice when nothing can be drawn."""
    pools = contest_pools(contest, local_day(now, contest.timezone), pool_ttl)
    ids = _draw_ids(draw_rules(contest), pools, rng)[:MAX_QUESTIONS]
    if not ids:
        raise NoPractice("题库中暂时没有可以练习的题目")
    return PracticeRound(slug=contest.slug, ids=ids, seed=rng.getrandbits(32))


def option_order(seed: int, question_id: int, count: int, question_type: str) -> list[int]:
    """Stored option indexes in display order, the same on every request for this round and question."""
    order = list(range(count))
    # Judge options stay 正确 then 错误, as in the contest's round.
    if question_type != "judge":
        random.Random(f"{seed}:{question_id}").shuffle(order)
    return order


def _current(state: PracticeRound) -> QuestionRecord | None:
    """The current question's record; a question deleted since the draw is dropped from the round."""
    while not state.finished:
        record = question_cache.get_many([state.ids[state.position]]).get(state.ids[state.position])
        if record is not None:
            return record
        state.ids.pop(state.position)
        if state.answered:  # its mark goes with it
            state.marks, state.chosen = state.marks[:-1], None
    return None


def question_view(state: PracticeRound) -> dict | None:
    """The current question as shown before answering (no answer in it), or None when the round is over."""
    record = _current(state)
    if record is None:
        return None
    order = option_order(state.seed, record.id, len(record.options), record.type)
    return {"number": state.position + 1, "count": len(state.ids), "type": record.type, "stem": record.stem,
            "options": [{"value": str(pos), "letter": LETTERS[pos], "text": record.options[stored]}
                        for pos, stored in enumerate(order)]}


def feedback_view(state: PracticeRound) -> dict | None:
    """The answered question with the visitor's choice, the correct option(s), 解析 and 出处."""
    view = question_view(state)
    if view is None or not state.answered:
        return view
    record = _current(state)
    order = option_order(state.seed, record.id, len(record.options), record.type)
    right = {pos for pos, stored in enumerate(order) if stored in record.answer}
    for pos, option in enumerate(view["options"]):
        option.update(is_right=pos in right, is_chosen=pos in state.chosen)
    view.update(correct=state.marks[-1] == "1", answer_letters=[LETTERS[pos] for pos in sorted(right)],
                explanation=record.explanation, source=record.source, last=state.position + 1 == len(state.ids))
    return view


def _positions(values: list[str], record: QuestionRecord) -> list[int]:
    """Display positions from the form, refusing nothing chosen, unknown options and two for one answer."""
    if not values:
        raise ValidationError("choice", "请先选择答案，再按“确定”")
    try:
        positions = sorted({int(value) for value in values})
    except ValueError:
        raise ValidationError("choice", "所选选项不存在，请重新选择") from None
    if positions[0] < 0 or positions[-1] >= len(record.options):
        raise ValidationError("choice", "所选选项不存在，请重新选择")
    if record.type != "multiple" and len(positions) > 1:
        raise ValidationError("choice", "这道题只能选一个答案")
    return positions


def answer(state: PracticeRound, values: list[str], number: int | None = None) -> PracticeRound:
    """Check the current question's answer and keep the outcome; answering it again changes nothing."""
    record = _current(state)
    # A second press of 确定, or a form left open in another tab (`number` is the question it showed).
    if record is None or state.answered or (number is not None and number != state.position + 1):
        return state
    positions = _positions(values, record)
    order = option_order(state.seed, record.id, len(record.options), record.type)
    right = {order[pos] for pos in positions} == set(record.answer)
    state.chosen = positions
    state.marks += "1" if right else "0"
    return state


def advance(state: PracticeRound) -> PracticeRound:
    """Go on to the next question once the current one is answered (else stay)."""
    if state.answered and not state.finished:
        state.position += 1
        state.chosen = None
    return state


def summary(state: PracticeRound) -> dict:
    """How the round went: questions answered and answered right."""
    return {"count": len(state.marks), "correct": state.marks.count("1")}
