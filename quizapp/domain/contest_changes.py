"""Which edits of a round make scores taken before and after them incomparable."""

from __future__ import annotations

from collections.abc import Sequence

from quizapp.domain.errors import DomainError
from quizapp.domain.paper import TYPE_LABELS, TYPES, DrawRule

PARTIAL_LABELS = {"none": "全对才得分", "proportional": "按比例给分"}


class NeedsConfirmation(DomainError):
    """An edit would make earlier scores incomparable and was not confirmed."""

    code = "needs_confirmation"

    def __init__(self, changes: list[str]):
        self.changes = changes
        super().__init__("已有答卷，以下修改会使修改前后的成绩不可比，请勾选确认后再保存：" + "；".join(changes))


def _score(value: float) -> str:
    return f"{value:g}"


def _max_score(rules: Sequence[DrawRule]) -> float:
    return round(sum(rule.count * rule.points for rule in rules), 2)


def _points_by_type(rules: Sequence[DrawRule]) -> dict[str, tuple[float, ...]]:
    """Each question type's distinct points per question, in a stable order."""
    found: dict[str, set[float]] = {}
    for rule in rules:
        found.setdefault(rule.type, set()).add(float(rule.points))
    return {kind: tuple(sorted(values)) for kind, values in found.items()}


def _partials(rules: Sequence[DrawRule]) -> tuple[str, ...]:
    """The partial-credit rules that multiple-choice questions are scored by."""
    return tuple(sorted({rule.partial for rule in rules if rule.type == "multiple"}))


def _type_order(kind: str) -> int:
    """单选、多选、判断, the order people list them in."""
    return TYPES.index(kind) if kind in TYPES else len(TYPES)


def _points_text(points: dict[str, tuple[float, ...]]) -> str:
    parts = [f"{TYPE_LABELS.get(kind, kind)} {'/'.join(_score(p) for p in values)} 分"
             for kind, values in sorted(points.items(), key=lambda pair: _type_order(pair[0]))]
    return "、".join(parts) or "无"


def incomparable_changes(old_rules: Sequence[DrawRule], old_pass: float,
                         new_rules: Sequence[DrawRule], new_pass: float) -> list[str]:
    """Describe each change of max score, question count, points, partial rule or pass score."""
    changes = []
    old_max, new_max = _max_score(old_rules), _max_score(new_rules)
    if old_max != new_max:
        changes.append(f"满分：{_score(old_max)} → {_score(new_max)}")
    old_count, new_count = sum(r.count for r in old_rules), sum(r.count for r in new_rules)
    if old_count != new_count:
        changes.append(f"题量：{old_count} → {new_count} 道")
    old_points, new_points = _points_by_type(old_rules), _points_by_type(new_rules)
    if old_points != new_points:
        changes.append(f"每题分值：{_points_text(old_points)} → {_points_text(new_points)}")
    old_partial, new_partial = _partials(old_rules), _partials(new_rules)
    if old_partial != new_partial and old_partial and new_partial:
        names = ["、".join(PARTIAL_LABELS.get(p, p) for p in group) for group in (old_partial, new_partial)]
        changes.append(f"多选题计分方式：{names[0]} → {names[1]}")
    if round(old_pass, 2) != round(new_pass, 2):
        changes.append(f"及格分：{_score(old_pass)} → {_score(new_pass)}")
    return changes
