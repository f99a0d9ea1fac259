"""The plain-Python parts of the contests area: form ↔ definition, error paths, incomparable changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quizapp.domain.contest_changes import incomparable_changes
from quizapp.domain.contest_def import parse_contest_definition
from quizapp.domain.contest_form import definition_from_form, form_errors, form_values
from quizapp.domain.errors import ValidationError
from quizapp.domain.paper import DrawRule
from tests.conftest import T0, contest_definition


def test_a_definition_survives_the_form_both_ways():
    definition = contest_definition()
    definition["round"].update(grace_seconds=5, reviewed_only=True)
    definition["flags"] = {"min_seconds_per_question": 2.5, "max_phones_per_client": 0}
    values = form_values(definition)
    assert values["starts_at"] == "2026-11-15T00:00:00" and values["regions"] == "呼和浩特市\n包头市"
    assert values["draw"][1] == {"bank": ["drug-law"], "category": "", "type": "multiple", "count": "2",
                                 "points": "10", "partial": "proportional"}
    back = definition_from_form(values).definition
    assert parse_contest_definition(back, T0) == parse_contest_definition(definition, T0)


def test_times_are_read_in_the_contest_zone_with_or_without_seconds():
    built = definition_from_form({"timezone": "Asia/Urumqi", "starts_at": "2026-11-15 08:00",
                                  "ends_at": "2026-12-15T23:59:59"})
    assert built.definition["starts_at"] == "2026-11-15T08:00:00+06:00"
    assert built.definition["ends_at"] == "2026-12-15T23:59:59+06:00"
    assert definition_from_form({"starts_at": "today+1d"}).definition["starts_at"] == "today+1d"
    assert "不是有效的日期时间" in definition_from_form({"starts_at": "2026-13-01 00:00"}).errors["starts_at"]


def test_blank_and_removed_rows_are_left_out_and_rows_remembered():
    rule = {"bank": ["drug-law"], "type": "single", "count": "4", "points": "5", "partial": "none"}
    blank = {"bank": [], "type": "", "count": "", "points": "", "category": "", "partial": "none"}
    built = definition_from_form({"draw": [blank, rule, {**rule, "remove": True}, {**rule, "bank": ["a", "b"]}],
                                  "prizes": [{"tier": "", "name": "", "count": ""}, {"tier": "1", "name": "奖", "count": "2"}]})
    assert built.definition["round"]["draw"] == [
        {"bank": "drug-law", "type": "single", "count": 4, "points": 5},
        {"bank": ["a", "b"], "type": "single", "count": 4, "points": 5}]
    assert built.draw_rows == (1, 3) and built.prize_rows == (1,)
    assert built.definition["prizes"] == [{"tier": 1, "name": "奖", "count": 2}]
    assert "flags" not in built.definition and built.definition["round"]["reviewed_only"] is False


def test_text_that_is_not_a_number_reaches_the_parser_as_typed():
    built = definition_from_form({"time_limit_seconds": "十分钟", "pass_score": "30.5",
                                  "draw": [{"bank": ["drug-law"], "type": "single", "count": "1e3", "points": "2.5"}]})
    assert built.definition["round"]["time_limit_seconds"] == "十分钟"
    assert built.definition["round"]["pass_score"] == 30.5
    assert built.definition["round"]["draw"][0]["count"] == 1000.0  # a float: the parser says 必须是整数
    with pytest.raises(ValidationError) as info:
        parse_contest_definition({**contest_definition(), "round": built.definition["round"]}, T0)
    assert info.value.fields["round.time_limit_seconds"] == "必须是整数"
    assert info.value.fields["round.draw[0].count"] == "必须是整数"


def test_error_paths_map_onto_form_fields():
    built = definition_from_form({"draw": [{}, {"bank": ["x"]}, {}, {"bank": ["y"]}], "prizes": [{"name": "a"}]})
    mapped = form_errors({"round.draw[1].count": "太多", "round.draw[0]": "坏", "prizes[0].tier": "必填",
                          "regions[0]": "重复 A", "regions[2]": "重复 B", "round.pass_score": "超过",
                          "flags.burst_seconds": "负数", "round.draw": "至少一条", "slug": "已使用"}, built)
    assert mapped == {"draw-3-count": "太多", "draw-1-bank": "坏", "prizes-0-tier": "必填", "regions": "重复 A；重复 B",
                      "pass_score": "超过", "burst_seconds": "负数", "draw": "至少一条", "slug": "已使用"}


def rules(*specs) -> list[DrawRule]:
    return [DrawRule(("b",), kind, count, points, None, partial) for kind, count, points, partial in specs]


BASE = rules(("single", 4, 5, "none"), ("multiple", 2, 10, "proportional"))


def test_only_score_relevant_changes_are_incomparable():
    assert incomparable_changes(BASE, 30, BASE, 30) == []
    other_banks = [DrawRule(("c", "d"), r.type, r.count, r.points, "分类", r.partial) for r in BASE]
    assert incomparable_changes(BASE, 30, other_banks, 30) == []  # which questions, not how they score


@pytest.mark.parametrize("new, new_pass, expected", [
    (rules(("single", 4, 5, "none"), ("multiple", 2, 10, "none")), 30, ["多选题计分方式：按比例给分 → 全对才得分"]),
    (rules(("single", 5, 5, "none"), ("multiple", 2, 10, "proportional")), 30, ["满分：40 → 45", "题量：6 → 7 道"]),
    (rules(("single", 4, 5, "none"), ("multiple", 2, 10, "proportional")), 35, ["及格分：30 → 35"]),
    (rules(("single", 2, 10, "none"), ("multiple", 2, 10, "proportional")), 30,
     ["题量：6 → 4 道", "每题分值：单选题 5 分、多选题 10 分 → 单选题 10 分、多选题 10 分"]),
])
def test_each_incomparable_change_is_named(new, new_pass, expected):
    assert incomparable_changes(BASE, 30, new, new_pass) == expected


def test_reviewed_only_must_be_a_boolean():
    definition = contest_definition()
    definition["round"]["reviewed_only"] = 1
    with pytest.raises(ValidationError) as info:
        parse_contest_definition(definition, T0)
    assert info.value.fields == {"round.reviewed_only": "必须是 true 或 false"}
    definition["round"]["reviewed_only"] = True
    assert parse_contest_definition(definition, T0).round.reviewed_only is True
    assert parse_contest_definition(contest_definition(), datetime(2026, 11, 1, tzinfo=UTC)).round.reviewed_only is False
