"""The summary report (总结材料): the contest's facts, figures, charts, topics, misconceptions and draw.

One dictionary feeds both the HTML page and report.pdf (WeasyPrint renders the same template),
so what an organizer sees on screen is what prints.
"""

from __future__ import annotations

from datetime import datetime

from ..domain import charts
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.report_text import ReportFacts, summary_paragraphs
from ..domain.timing import local_day_hour
from ..models import Contest
from .contests import iso_local, max_score, question_count
from .draw import notice
from .insight import contest_stats
from .item_analysis import contest_items, misconceptions, weak_topics

TOP_SHOWN = 5
MIN_DRAWN_FOR_TOPIC = 20


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def _charts(stats: dict, topics: list[dict]) -> dict:
    days = [(row["day"][5:], row["participants"]) for row in stats["by_day"]]
    regions = [(row["region"] or "（未填地区）", row["participants"])
               for row in (stats.get("by_region_top") or stats["by_region"])]
    channels = [(row["name"], row["participants"]) for row in stats["by_channel"]]
    totals = stats["totals"]
    funnel = [("扫码", totals["scans"]), ("登记", totals["participants"]), ("完成", totals["finished"]),
              ("获得抽奖资格", totals["eligible"]), ("中奖", totals["winners"])]
    bands = [(f"{band['from']}–{band['to']}", band["count"]) for band in stats["score_bands"]]
    rated = [(row["category"], row["correct_rate"] * 100) for row in topics if row["correct_rate"] is not None]
    return {
        "days": charts.column_chart("每日登记人数", days, unit="人"),
        "regions": charts.bar_chart("各地区参赛人数", regions, unit="人"),
        "channels": charts.bar_chart("各渠道登记人数", channels, unit="人"),
        "funnel": charts.funnel_chart("参与转化", funnel),
        "bands": charts.column_chart("成绩分布（最高分）", bands, unit="人"),
        "topics": charts.bar_chart("各知识点正确率", rated, unit="%", value_format=_percent),
    }


def _winners(contest: Contest, scope: RegionScope) -> dict | None:
    body = notice(contest)
    if body["commitment"] is None:
        return None
    winners = [w for w in body["winners"] if scope.admits(w.get("region"))]
    return {"commitment": body["commitment"], "reveal": body["reveal"], "winners": winners}


def _misconception_line(row: dict) -> str:
    return (f"“{_clip(row['stem'], 40)}”一题有 {row['chosen_rate'] * 100:.0f}% 的作答者选了“{_clip(row['text'], 30)}”"
            f"（正确答案：{_clip(row['correct_text'], 30)}）")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _facts(contest: Contest, stats: dict, topics: list[dict], errors: list[dict], draw: dict | None,
           now: datetime) -> ReportFacts:
    totals = stats["totals"]
    rated = [row for row in topics if row["correct_rate"] is not None and row["drawn"] >= MIN_DRAWN_FOR_TOPIC]
    regions = stats.get("by_region_top") or stats["by_region"]
    return ReportFacts(
        title=contest.title, first_day=local_day_hour(contest.starts_at, contest.timezone)[0],
        last_day=local_day_hour(min(now, contest.ends_at), contest.timezone)[0],
        scans=totals["scans"], participants=totals["participants"], attempts=totals["attempts"],
        finished=totals["finished"], eligible=totals["eligible"], average_score=totals["average_score"],
        max_score=max_score(contest), pass_score=contest.pass_score,
        top_regions=[(row["region"], row["participants"]) for row in regions[:3] if row["participants"]],
        strong_topics=[(row["category"], row["correct_rate"]) for row in reversed(rated[2:])][:2],
        weak_topics=[(row["category"], row["correct_rate"]) for row in rated[:2]],
        misconceptions=[_misconception_line(row) for row in errors[:3]],
        winners=len(draw["winners"]) if draw and draw["reveal"] else None)


def report_data(contest: Contest, now: datetime, scope: RegionScope = EVERYWHERE) -> dict:
    """Everything the report shows, inside the account's region scope."""
    stats = contest_stats(contest, now, scope)
    items = contest_items(contest, scope)
    topics, errors = weak_topics(items), misconceptions(items)
    draw = _winners(contest, scope)
    facts = _facts(contest, stats, topics, errors, draw, now)
    return {
        "contest": contest, "stats": stats, "topics": topics, "misconceptions": errors, "draw": draw,
        "paragraphs": summary_paragraphs(facts), "charts": _charts(stats, topics),
        "window": (iso_local(contest.starts_at, contest.timezone), iso_local(contest.ends_at, contest.timezone)),
        "question_count": question_count(contest), "max_score": max_score(contest),
        "generated_at": iso_local(now, contest.timezone), "scope": scope.region,
    }
