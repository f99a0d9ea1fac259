"""Item analysis (CONTRACT §6 items.json): per question drawn, its rates, discrimination and option spread.

Read from the per-question running totals (`ItemTally`, `OptionTally`), summed over the regions
the account may see: a few thousand rows whatever the number of attempts.

- `correct_rate` = answered fully right / drawn (a question left blank counts as not known);
- `chosen_rate` of an option = chosen / answered (the spread among those who answered);
- `discrimination` = the corrected item-total point-biserial: the correlation of "fully right"
  with the attempt's score without this question (Moodle's discrimination index is the same
  idea); null where nobody, or everybody, got it right.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..domain.item_stats import FLAG_NAMES, OptionFigure, point_biserial, rate, review_flags
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.questions import LETTERS, TYPE_LABELS
from ..extensions import db
from ..models import Bank, Contest, ItemTally, OptionTally, Question
from .scope import within_scope

MISCONCEPTIONS_SHOWN = 10
UNCATEGORISED = "未分类"
MIN_ANSWERS_FOR_MISCONCEPTION = 20


@dataclass(frozen=True)
class Item:
    """One question's figures in a contest."""

    question: Question
    bank: str
    drawn: int
    answered: int
    correct: int
    discrimination: float | None
    options: tuple[OptionFigure, ...]

    @property
    def correct_rate(self) -> float | None:
        """Fully right / drawn."""
        return rate(self.correct, self.drawn)

    @property
    def flags(self) -> list[str]:
        """Review flags (codes of FLAG_NAMES)."""
        return review_flags(self.answered, self.correct_rate, self.discrimination, self.options)

    def as_dict(self) -> dict:
        """The item as items.json gives it (plus the question id, explanation and flags)."""
        return {
            "question_id": self.question.id, "bank": self.bank, "stem": self.question.stem,
            "type": self.question.type, "category": self.question.category or "",
            "drawn": self.drawn, "answered": self.answered, "correct": self.correct,
            "correct_rate": _round(self.correct_rate), "discrimination": _round(self.discrimination),
            "options": [{"label": o.label, "text": o.text, "correct": o.correct, "chosen": o.chosen,
                         "chosen_rate": _round(rate(o.chosen, self.answered))} for o in self.options],
            "flags": self.flags,
            "explanation": self.question.explanation or "", "source": self.question.source or "",
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tallies(contest: Contest, scope: RegionScope) -> dict[int, tuple]:
    query = within_scope(select(
        ItemTally.question_id, func.sum(ItemTally.drawn), func.sum(ItemTally.answered), func.sum(ItemTally.correct),
        func.sum(ItemTally.sum_rest), func.sum(ItemTally.sum_rest_sq), func.sum(ItemTally.sum_rest_correct))
        .where(ItemTally.contest_id == contest.id), scope, column=ItemTally.region).group_by(ItemTally.question_id)
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query).all()}


def _choices(contest: Contest, scope: RegionScope) -> dict[tuple[int, int], int]:
    query = within_scope(select(OptionTally.question_id, OptionTally.option_index, func.sum(OptionTally.chosen))
                         .where(OptionTally.contest_id == contest.id), scope, column=OptionTally.region
                         ).group_by(OptionTally.question_id, OptionTally.option_index)
    return {(qid, index): int(count) for qid, index, count in db.session.execute(query).all()}


def _options(question: Question, chosen: dict[tuple[int, int], int]) -> tuple[OptionFigure, ...]:
    right = set(question.answer or [])
    return tuple(OptionFigure(LETTERS[index], str(text), index in right, chosen.get((question.id, index), 0))
                 for index, text in enumerate(question.options or []))


def contest_items(contest: Contest, scope: RegionScope = EVERYWHERE) -> list[Item]:
    """Every question drawn in the contest's finished attempts, by bank then question id."""
    tallies = _tallies(contest, scope)
    if not tallies:
        return []
    chosen = _choices(contest, scope)
    questions = db.session.execute(select(Question, Bank.name).join(Bank, Bank.id == Question.bank_id)
                                   .where(Question.id.in_(list(tallies))).order_by(Bank.name, Question.id)).all()
    items = []
    for question, bank in questions:
        drawn, answered, correct, sum_rest, sum_rest_sq, sum_rest_correct = tallies[question.id]
        items.append(Item(question, bank, int(drawn), int(answered), int(correct),
                          point_biserial(int(drawn), float(correct), float(sum_rest), float(sum_rest_sq),
                                         float(sum_rest_correct)),
                          _options(question, chosen)))
    return items


def weak_topics(items: list[Item]) -> list[dict]:
    """The correct rate per category, weakest first (a question without category counts as 未分类)."""
    totals: dict[str, list[int]] = {}
    for item in items:
        into = totals.setdefault(item.question.category or UNCATEGORISED, [0, 0, 0])
        into[0] += item.drawn
        into[1] += item.correct
        into[2] += 1
    rows = [{"category": name, "questions": count, "drawn": drawn, "correct_rate": _round(rate(correct, drawn))}
            for name, (drawn, correct, count) in totals.items()]
    return sorted(rows, key=lambda row: (row["correct_rate"] if row["correct_rate"] is not None else 2,
                                         row["category"]))


def misconceptions(items: list[Item], limit: int = MISCONCEPTIONS_SHOWN) -> list[dict]:
    """常见误区: the wrong options most chosen (by share of those who answered), with the explanation."""
    found = []
    for item in items:
        if item.answered < MIN_ANSWERS_FOR_MISCONCEPTION:
            continue
        right = "".join(o.label for o in item.options if o.correct)
        for option in item.options:
            if not option.correct and option.chosen:
                found.append({"question_id": item.question.id, "bank": item.bank, "stem": item.question.stem,
                              "type_name": TYPE_LABELS.get(item.question.type, item.question.type),
                              "label": option.label, "text": option.text, "chosen": option.chosen,
                              "chosen_rate": _round(rate(option.chosen, item.answered)),
                              "correct_labels": right,
                              "correct_text": "；".join(o.text for o in item.options if o.correct),
                              "explanation": item.question.explanation or "", "source": item.question.source or ""})
    found.sort(key=lambda row: (-row["chosen_rate"], -row["chosen"], row["question_id"], row["label"]))
    return found[:limit]


def items_document(contest: Contest, scope: RegionScope = EVERYWHERE) -> dict:
    """The items.json body: items, weak topics, misconceptions and what the flags mean."""
    items = contest_items(contest, scope)
    return {"contest": contest.slug, "scope": scope.region, "items": [item.as_dict() for item in items],
            "categories": weak_topics(items), "misconceptions": misconceptions(items), "flag_names": FLAG_NAMES}
