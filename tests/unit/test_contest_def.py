"""Parsing the contest definition JSON (CONTRACT §4)."""

import copy
from datetime import UTC, datetime

import pytest

from quizapp.domain.consent import DEFAULT_CONSENT_TEXT, consent_text_shown
from quizapp.domain.contest_def import (
    ContestSpec,
    parse_contest_definition,
)
from quizapp.domain.errors import ValidationError
from quizapp.domain.paper import DrawRule

NOW = datetime(2023, 11, 20, 2, 0, tzinfo=UTC)  # 2023-11-20 10:00 in Shanghai

EXAMPLE = {
    "slug": "nmg-2023",
    "title": "2023年药品安全网络知识竞赛",
    "starts_at": "2023-11-15T00:00:00+08:00",
    "ends_at": "2023-12-15T23:59:59+08:00",
    "timezone": "Asia/Shanghai",
    "description": "…",
    "consent_text": "…",
    "regions": ["呼和浩特市", "包头市"],
    "round": {
        "time_limit_seconds": 600,
        "attempts_per_day": 3,
        "max_attempts": 30,
        "pass_score": 90,
        "draw": [
            {"bank": "drug-law", "type": "single", "count": 10, "points": 5},
            {
                "bank": "safe-medication",
                "category": "儿童用药",
                "type": "multiple",
                "count": 5,
                "points": 6,
                "partial": "none",
            },
            {"bank": "safe-medication", "type": "judge", "count": 5, "points": 4},
        ],
    },
    "prizes": [{"tier": 1, "name": "一等奖", "count": 10}, {"tier": 2, "name": "二等奖", "count": 30}],
}


def example(**top):
    data = copy.deepcopy(EXAMPLE)
    data.update(top)
    return data


def minimal():
    return {
        "slug": "mini",
        "title": "小测",
        "starts_at": "2023-11-15T00:00:00+08:00",
        "ends_at": "2023-11-16T00:00:00+08:00",
        "round": {"draw": [{"bank": "b", "type": "single", "count": 10, "points": 10}]},
    }


def errors_of(data, now=NOW):
    with pytest.raises(ValidationError) as info:
        parse_contest_definition(data, now)
    return info.value.fields


class TestContractExample:
    def test_parses(self):
        spec = parse_contest_definition(example(), NOW)
        assert isinstance(spec, ContestSpec)
        assert spec.slug == "nmg-2023"
        assert spec.title == "2023年药品安全网络知识竞赛"
        assert spec.starts_at == datetime(2023, 11, 14, 16, 0, tzinfo=UTC)
        assert spec.ends_at == datetime(2023, 12, 15, 15, 59, 59, tzinfo=UTC)
        assert spec.starts_at.utcoffset().total_seconds() == 0
        assert spec.timezone == "Asia/Shanghai"
        assert spec.regions == ("呼和浩特市", "包头市")
        assert spec.consent_text == "…"

    def test_round(self):
        rnd = parse_contest_definition(example(), NOW).round
        assert (rnd.time_limit_seconds, rnd.attempts_per_day, rnd.max_attempts) == (600, 3, 30)
        assert rnd.pass_score == 90 and rnd.grace_seconds == 5
        assert rnd.max_score == 100  # 10×5 + 5×6 + 5×4
        assert rnd.question_count == 20
        assert rnd.draw[1] == DrawRule(("safe-medication",), "multiple", 5, 6.0, "儿童用药", "none")
        assert rnd.draw[0].category is None and rnd.draw[2].type == "judge"

    def test_prizes(self):
        prizes = parse_contest_definition(example(), NOW).prizes
        assert [(p.tier, p.name, p.count) for p in prizes] == [(1, "一等奖", 10), (2, "二等奖", 30)]


class TestDefaults:
    def test_minimal_definition(self):
        spec = parse_contest_definition(minimal(), NOW)
        rnd = spec.round
        assert spec.timezone == "Asia/Shanghai"
        assert spec.description == "" and spec.regions == () and spec.prizes == ()
        assert spec.consent_text == DEFAULT_CONSENT_TEXT
        assert (rnd.time_limit_seconds, rnd.attempts_per_day, rnd.max_attempts, rnd.grace_seconds) == (
            600,
            3,
            30,
            5,
        )
        assert rnd.pass_score == 60  # 60 % of the 100-point maximum
        assert rnd.draw[0].partial == "none"

    def test_blank_consent_text_gets_default(self):
        assert parse_contest_definition(example(consent_text="  "), NOW).consent_text == DEFAULT_CONSENT_TEXT

    def test_default_consent_text_covers_pipl_points(self):
        for words in ("主办单位", "姓名", "手机号码", "地区", "奖品", "删除", "不会用于其他", "14周岁", "监护人",
                      "保留至竞赛结束后 {retention_days} 日", "匿名化", "另外勾选同意", "我的成绩"):
            assert words in DEFAULT_CONSENT_TEXT

    def test_consent_shown_names_the_contests_retention_period(self):
        assert "保留至竞赛结束后 365 日" in consent_text_shown(DEFAULT_CONSENT_TEXT, 365)
        assert "{retention_days}" not in consent_text_shown("", 30) and "30 日" in consent_text_shown("", 30)
        own = "我们保存 {retention_days} 天。"
        assert consent_text_shown(own, 90) == "我们保存 90 天。"

    def test_retention_days_defaults_bounds_and_is_read(self):
        assert parse_contest_definition(example(), NOW).public.retention_days == 180
        assert parse_contest_definition(example(retention_days=30), NOW).public.retention_days == 30
        for bad in (0, 3651, "x"):
            with pytest.raises(ValidationError) as info:
                parse_contest_definition(example(retention_days=bad), NOW)
            assert "retention_days" in info.value.fields


class TestUnknownKeys:
    def test_top_level(self):
        assert errors_of(example(colour="red")) == {"colour": "未知字段"}

    def test_round(self):
        data = example()
        data["round"]["shuffle"] = True
        assert errors_of(data) == {"round.shuffle": "未知字段"}

    def test_draw_rule(self):
        data = example()
        data["round"]["draw"][1]["foo"] = 1
        assert errors_of(data) == {"round.draw[1].foo": "未知字段"}

    def test_prize(self):
        data = example()
        data["prizes"][0]["value"] = 100
        assert errors_of(data) == {"prizes[0].value": "未知字段"}

    def test_all_collected_at_once(self):
        data = example(extra=1)
        data["round"]["x"] = 1
        data["round"]["draw"][0]["y"] = 1
        data["prizes"][1]["z"] = 1
        data["slug"] = "Bad Slug"
        assert set(errors_of(data)) == {"extra", "round.x", "round.draw[0].y", "prizes[1].z", "slug"}


class TestTimes:
    def test_relative_dates_use_contest_timezone(self):
        spec = parse_contest_definition(example(starts_at="today-1d", ends_at="today+30d"), NOW)
        # "today" in Shanghai is 2023-11-20; midnight there is 16:00 UTC the day before.
        assert spec.starts_at == datetime(2023, 11, 18, 16, 0, tzinfo=UTC)
        assert spec.ends_at == datetime(2023, 12, 19, 16, 0, tzinfo=UTC)

    def test_relative_dates_in_another_timezone(self):
        spec = parse_contest_definition(example(timezone="UTC", starts_at="today", ends_at="now+2h"), NOW)
        assert spec.starts_at == datetime(2023, 11, 20, 0, 0, tzinfo=UTC)
        assert spec.ends_at == datetime(2023, 11, 20, 4, 0, tzinfo=UTC)
        assert spec.timezone == "UTC"

    def test_bad_timezone(self):
        fields = errors_of(example(timezone="Asia/Atlantis"))
        assert set(fields) == {"timezone"}
        assert "Asia/Atlantis" in fields["timezone"]

    def test_ends_before_starts(self):
        fields = errors_of(
            example(starts_at="2023-12-01T00:00:00+08:00", ends_at="2023-11-01T00:00:00+08:00")
        )
        assert set(fields) == {"ends_at"}

    def test_equal_start_and_end_refused(self):
        assert "ends_at" in errors_of(example(ends_at=EXAMPLE["starts_at"]))

    def test_missing_offset_and_garbage(self):
        fields = errors_of(example(starts_at="2023-11-15T00:00:00", ends_at="next week"))
        assert set(fields) == {"starts_at", "ends_at"}

    def test_missing_dates(self):
        data = example()
        del data["starts_at"], data["ends_at"]
        assert set(errors_of(data)) == {"starts_at", "ends_at"}


class TestDrawRules:
    @pytest.mark.parametrize(
        ("name", "kind"),
        [("单选", "single"), ("单选题", "single"), ("多选", "multiple"), ("多选题", "multiple"),
         ("判断", "judge"), ("判断题", "judge"), ("Single", "single")],
    )  # fmt: skip
    def test_chinese_type_names(self, name, kind):
        data = minimal()
        data["round"]["draw"][0]["type"] = name
        assert parse_contest_definition(data, NOW).round.draw[0].type == kind

    def test_bank_list_extension(self):
        data = minimal()
        data["round"]["draw"][0]["bank"] = ["a", "b", "a"]
        assert parse_contest_definition(data, NOW).round.draw[0].banks == ("a", "b")

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("bank", ""),
            ("bank", []),
            ("bank", ["a", 3]),
            ("type", "essay"),
            ("type", None),
            ("count", 0),
            ("count", True),
            ("count", 2.5),
            ("count", "10"),
            ("points", 0),
            ("points", -1),
            ("points", True),
            ("points", "5"),
            ("points", float("nan")),
            ("partial", "half"),
            ("category", 5),
        ],
    )
    def test_bad_rule_fields(self, key, value):
        data = minimal()
        data["round"]["draw"][0][key] = value
        assert set(errors_of(data)) == {f"round.draw[0].{key}"}

    def test_missing_count_and_points(self):
        data = minimal()
        data["round"]["draw"] = [{"bank": "b", "type": "single"}]
        assert set(errors_of(data)) == {"round.draw[0].count", "round.draw[0].points"}

    def test_proportional_only_for_multiple(self):
        data = minimal()
        data["round"]["draw"] = [
            {"bank": "b", "type": "多选", "count": 2, "points": 5, "partial": "proportional"},
            {"bank": "b", "type": "single", "count": 2, "points": 5, "partial": "proportional"},
        ]
        fields = errors_of(data)
        assert set(fields) == {"round.draw[1].partial"}
        data["round"]["draw"].pop()
        assert parse_contest_definition(data, NOW).round.draw[0].partial == "proportional"

    @pytest.mark.parametrize("draw", [None, [], "all", {"bank": "b"}])
    def test_draw_required_and_non_empty(self, draw):
        data = minimal()
        data["round"]["draw"] = draw
        assert "round.draw" in errors_of(data)

    def test_rule_must_be_object(self):
        data = minimal()
        data["round"]["draw"].append("b:single:5")
        assert set(errors_of(data)) == {"round.draw[1]"}


class TestRound:
    def test_pass_score_above_max(self):
        data = example()
        data["round"]["pass_score"] = 100.5
        fields = errors_of(data)
        assert set(fields) == {"round.pass_score"}
        assert "100" in fields["round.pass_score"]

    def test_pass_score_equal_to_max_is_fine(self):
        data = example()
        data["round"]["pass_score"] = 100
        assert parse_contest_definition(data, NOW).round.pass_score == 100

    def test_pass_score_negative_or_bool(self):
        for value in (-1, True, "90"):
            data = example()
            data["round"]["pass_score"] = value
            assert set(errors_of(data)) == {"round.pass_score"}

    def test_broken_rule_does_not_also_blame_pass_score(self):
        data = example()
        data["round"]["draw"][0]["points"] = "many"
        assert set(errors_of(data)) == {"round.draw[0].points"}

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("time_limit_seconds", 0),
            ("time_limit_seconds", True),
            ("attempts_per_day", 0),
            ("attempts_per_day", False),
            ("max_attempts", "30"),
            ("grace_seconds", -1),
            ("grace_seconds", 1.5),
        ],
    )
    def test_bad_round_numbers(self, key, value):
        data = example()
        data["round"][key] = value
        assert set(errors_of(data)) == {f"round.{key}"}

    def test_zero_grace_allowed(self):
        data = example()
        data["round"]["grace_seconds"] = 0
        assert parse_contest_definition(data, NOW).round.grace_seconds == 0

    @pytest.mark.parametrize("value", [None, [], "round"])
    def test_round_required_object(self, value):
        data = example(round=value)
        if value is None:
            del data["round"]
        assert "round" in errors_of(data)


class TestTopLevel:
    @pytest.mark.parametrize("slug", ["A-2023", "-abc", "a", "a" * 65, "中文", "a_b", 5])
    def test_bad_slug(self, slug):
        assert set(errors_of(example(slug=slug))) == {"slug"}

    @pytest.mark.parametrize("slug", ["ab", "2023-nmg", "a" * 64])
    def test_good_slug(self, slug):
        assert parse_contest_definition(example(slug=slug), NOW).slug == slug

    def test_missing_required(self):
        fields = errors_of({})
        assert {"slug", "title", "starts_at", "ends_at", "round"} <= set(fields)

    @pytest.mark.parametrize("data", [None, [], "nmg-2023"])
    def test_non_object(self, data):
        with pytest.raises(ValidationError):
            parse_contest_definition(data, NOW)

    @pytest.mark.parametrize(
        ("regions", "path"),
        [("呼和浩特市", "regions"), (["包头市", "包头市"], "regions[1]"), (["", "x"], "regions[0]")],
    )
    def test_bad_regions(self, regions, path):
        assert set(errors_of(example(regions=regions))) == {path}

    def test_title_must_be_text(self):
        assert set(errors_of(example(title=["x"]))) == {"title"}


class TestPrizes:
    def test_duplicate_tier(self):
        prizes = [{"tier": 1, "name": "一等奖", "count": 1}, {"tier": 1, "name": "特等奖", "count": 1}]
        assert set(errors_of(example(prizes=prizes))) == {"prizes[1].tier"}

    @pytest.mark.parametrize(
        ("prize", "key"),
        [
            ({"tier": 0, "name": "x", "count": 1}, "tier"),
            ({"tier": True, "name": "x", "count": 1}, "tier"),
            ({"tier": 1, "name": "", "count": 1}, "name"),
            ({"tier": 1, "name": "x", "count": 0}, "count"),
            ({"tier": 1, "name": "x"}, "count"),
        ],
    )
    def test_bad_prize(self, prize, key):
        assert set(errors_of(example(prizes=[prize]))) == {f"prizes[0].{key}"}

    def test_sorted_by_tier(self):
        prizes = [{"tier": 2, "name": "二等奖", "count": 3}, {"tier": 1, "name": "一等奖", "count": 1}]
        spec = parse_contest_definition(example(prizes=prizes), NOW)
        assert [p.tier for p in spec.prizes] == [1, 2]

    def test_prizes_must_be_list(self):
        assert set(errors_of(example(prizes={"tier": 1}))) == {"prizes"}


class TestFlags:
    """The optional `flags` object: cheat-flag thresholds of the prize draw (issue 4)."""

    def test_defaults_when_absent(self):
        from quizapp.domain.flags import FlagSettings

        assert parse_contest_definition(example(), NOW).flags == FlagSettings()
        assert FlagSettings().as_dict() == {"min_seconds_per_question": 2.0, "max_phones_per_client": 5,
                                            "client_window_minutes": 10, "burst_seconds": 1.0}

    def test_values_and_partial_objects(self):
        spec = parse_contest_definition(example(flags={"min_seconds_per_question": 3.5, "max_phones_per_client": 0}), NOW)
        assert spec.flags.min_seconds_per_question == 3.5
        assert spec.flags.max_phones_per_client == 0  # 0 turns the rule off
        assert spec.flags.client_window_minutes == 10 and spec.flags.burst_seconds == 1.0

    def test_unknown_key_is_refused_by_name(self):
        assert errors_of(example(flags={"min_seconds": 2})) == {"flags.min_seconds": "未知字段"}

    @pytest.mark.parametrize("flags,path", [
        ({"min_seconds_per_question": -1}, "flags.min_seconds_per_question"),
        ({"burst_seconds": "1"}, "flags.burst_seconds"),
        ({"max_phones_per_client": True}, "flags.max_phones_per_client"),
        ({"max_phones_per_client": 2.5}, "flags.max_phones_per_client"),
        ({"client_window_minutes": 0}, "flags.client_window_minutes"),
    ])
    def test_bad_values_are_refused(self, flags, path):
        assert path in errors_of(example(flags=flags))

    def test_not_an_object(self):
        assert errors_of(example(flags=[1])) == {"flags": "必须是一个对象"}
