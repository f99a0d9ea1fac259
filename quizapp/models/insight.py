"""Running totals per question of a contest and region, kept at submit for the item analysis.

Keyed by the participant's region as well, so that an account limited to one region sees its
own region's item analysis, and the whole contest is a sum over a few thousand rows.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ItemTally(db.Model):
    """How one question fared in a contest's finished attempts.

    The sums are what the corrected item-total point-biserial needs (x: the question answered
    fully right, y: the attempt's score without this question), so the index is computed from
    one row whatever the number of attempts.
    """

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    drawn: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    sum_rest: Mapped[float] = mapped_column(Float, default=0.0)
    sum_rest_sq: Mapped[float] = mapped_column(Float, default=0.0)
    sum_rest_correct: Mapped[float] = mapped_column(Float, default=0.0)


class OptionTally(db.Model):
    """How often one option (by its place in the bank: 0 is A) was chosen in a contest."""

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    option_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    chosen: Mapped[int] = mapped_column(Integer, default=0)
