"""The paste-ready Chinese paragraphs of the summary report (总结材料), from figures only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReportFacts:
    """What the paragraphs say: the window, the headline figures and the leading rows."""

    title: str
    first_day: date
    last_day: date
    scans: int
    participants: int
    attempts: int
    finished: int
    eligible: int
    average_score: float | None
    max_score: float
    pass_score: float
    top_regions: Sequence[tuple[str, int]]  # (region, participants), most first
    strong_topics: Sequence[tuple[str, float]]  # (category, correct rate), best first
    weak_topics: Sequence[tuple[str, float]]  # (category, correct rate), weakest first
    misconceptions: Sequence[str]  # short descriptions of the commonest wrong answers
    winners: int | None  # None before the draw


def chinese_date(day: date) -> str:
    """2026年11月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


def number(value: float) -> str:
    """A figure as a report writes it: 12,345 or 87.5 (no trailing .0)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(part: float, whole: float) -> str:
    """A share as 42.1%, or — when there is no whole."""
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _join(names: Sequence[str]) -> str:
    return "、".join(names)


def participation_paragraph(facts: ReportFacts) -> str:
    """Who took part, how many finished and passed."""
    text = (f"{facts.title}于{chinese_date(facts.first_day)}至{chinese_date(facts.last_day)}在线举行。"
            + (f"活动期间，竞赛页面经二维码和渠道链接访问 {number(facts.scans)} 次，" if facts.scans else "活动期间，")
            + f"共有 {number(facts.participants)} 人登记参赛，累计答题 {number(facts.attempts)} 次；"
            f"其中 {number(facts.finished)} 人完成答题，"
            f"完成率 {percent(facts.finished, facts.participants)}。")
    if facts.average_score is not None:
        text += (f"完成者的平均最高分为 {number(facts.average_score)} 分（满分 {number(facts.max_score)} 分），"
                 f"{number(facts.eligible)} 人达到 {number(facts.pass_score)} 分并获得抽奖资格。")
    if facts.top_regions:
        leaders = _join([f"{name}（{number(count)} 人）" for name, count in facts.top_regions])
        text += f"参赛人数居前的地区依次为{leaders}。"
    return text


def knowledge_paragraph(facts: ReportFacts) -> str:
    """What the public knows well, what it does not, and the commonest misconceptions."""
    parts = []
    if facts.strong_topics:
        parts.append("掌握较好的知识点为" + _join([f"“{name}”（正确率 {rate * 100:.1f}%）"
                                                for name, rate in facts.strong_topics]))
    if facts.weak_topics:
        parts.append("相对薄弱的知识点为" + _join([f"“{name}”（正确率 {rate * 100:.1f}%）"
                                                for name, rate in facts.weak_topics]))
    if not parts:
        return ""
    text = "从答题情况看，" + "；".join(parts) + "。"
    if facts.misconceptions:
        text += "常见误区包括：" + "；".join(facts.misconceptions) + "。建议在后续科普宣传中重点解读。"
    return text


def draw_paragraph(facts: ReportFacts) -> str:
    """The draw, once it has been run."""
    if facts.winners is None:
        return "抽奖尚未进行。"
    return (f"活动结束后，从获得抽奖资格的参赛者中以可公开验证的方式抽出 {number(facts.winners)} 名获奖者，"
            "抽奖承诺（名单与种子的 SHA-256）在开奖前公布，结果可复核。")


def summary_paragraphs(facts: ReportFacts) -> list[str]:
    """The report's prose, paragraph by paragraph, empty ones left out."""
    return [text for text in (participation_paragraph(facts), knowledge_paragraph(facts), draw_paragraph(facts))
            if text]
