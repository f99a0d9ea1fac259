"""Contest window, deadlines, grace, local days and moment parsing."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from quizapp.domain.errors import ValidationError
from quizapp.domain.timing import (
    accepts_answer,
    as_utc,
    attempt_deadline,
    contest_status,
    duration_seconds,
    is_expired,
    local_day,
    parse_moment,
)

CST = timezone(timedelta(hours=8))
START = datetime(2023, 11, 15, 0, 0, tzinfo=CST)
END = datetime(2023, 12, 15, 23, 59, 59, tzinfo=CST)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


class TestContestStatus:
    def test_before_start_is_upcoming(self):
        assert contest_status(START, END, START - timedelta(seconds=1)) == "upcoming"

    def test_start_and_end_are_inclusive(self):
        assert contest_status(START, END, START) == "open"
        assert contest_status(START, END, END) == "open"

    def test_after_end_is_closed(self):
        assert contest_status(START, END, END + timedelta(microseconds=1)) == "closed"

    def test_compares_instants_not_wall_clock(self):
        # 2023-11-14 16:00 UTC is exactly 2023-11-15 00:00 in Shanghai.
        assert contest_status(START, END, utc(2023, 11, 14, 16, 0)) == "open"
        assert contest_status(START, END, utc(2023, 11, 14, 15, 59, 59)) == "upcoming"

    def test_naive_now_is_taken_as_utc(self):
        assert contest_status(START, END, datetime(2023, 11, 14, 16, 0)) == "open"


class TestDeadline:
    def test_start_plus_limit(self):
        started = utc(2023, 11, 20, 8, 0)
        assert attempt_deadline(started, 600, END) == utc(2023, 11, 20, 8, 10)

    def test_capped_at_contest_end(self):
        started = as_utc(END) - timedelta(seconds=100)
        assert attempt_deadline(started, 600, END) == as_utc(END)

    def test_result_is_utc(self):
        started = datetime(2023, 11, 20, 16, 0, tzinfo=CST)
        deadline = attempt_deadline(started, 60, END)
        assert deadline.utcoffset() == timedelta(0)
        assert deadline == utc(2023, 11, 20, 8, 1)


class TestGrace:
    deadline = utc(2023, 11, 20, 8, 10)

    def test_on_time_and_within_grace(self):
        assert accepts_answer(self.deadline, 5, self.deadline)
        assert accepts_answer(self.deadline, 5, self.deadline + timedelta(seconds=5))
        assert not is_expired(self.deadline, 5, self.deadline + timedelta(seconds=5))

    def test_after_grace(self):
        late = self.deadline + timedelta(seconds=5, microseconds=1)
        assert not accepts_answer(self.deadline, 5, late)
        assert is_expired(self.deadline, 5, late)

    def test_zero_grace(self):
        assert accepts_answer(self.deadline, 0, self.deadline)
        assert is_expired(self.deadline, 0, self.deadline + timedelta(seconds=1))


class TestLocalDay:
    def test_utc_evening_is_next_day_in_shanghai(self):
        assert local_day(utc(2023, 11, 20, 16, 30), "Asia/Shanghai") == date(2023, 11, 21)
        assert local_day(utc(2023, 11, 20, 15, 59), "Asia/Shanghai") == date(2023, 11, 20)

    def test_other_zone(self):
        assert local_day(utc(2023, 11, 20, 3, 0), "America/New_York") == date(2023, 11, 19)


class TestDuration:
    def test_floors_to_whole_seconds(self):
        start = utc(2023, 11, 20, 8, 0)
        assert duration_seconds(start, start + timedelta(seconds=59, microseconds=999_999)) == 59

    def test_never_negative(self):
        start = utc(2023, 11, 20, 8, 0)
        assert duration_seconds(start, start - timedelta(seconds=3)) == 0

    def test_across_days_and_zones(self):
        start = datetime(2023, 11, 20, 23, 0, tzinfo=CST)
        assert duration_seconds(start, utc(2023, 11, 21, 15, 0)) == 86400


class TestParseMoment:
    now = utc(2023, 11, 20, 17, 30)  # 2023-11-21 01:30 in Shanghai

    def test_iso_with_offset_is_converted_to_utc(self):
        moment = parse_moment("2023-11-15T00:00:00+08:00", "Asia/Shanghai", self.now)
        assert moment == utc(2023, 11, 14, 16, 0)
        assert moment.utcoffset() == timedelta(0)

    def test_iso_with_z(self):
        assert parse_moment("2023-11-15T00:00:00Z", "Asia/Shanghai", self.now) == utc(2023, 11, 15)

    def test_iso_without_offset_is_refused(self):
        with pytest.raises(ValidationError) as info:
            parse_moment("2023-11-15T00:00:00", "Asia/Shanghai", self.now, field="starts_at")
        assert "starts_at" in info.value.fields
        assert "时区" in info.value.fields["starts_at"]

    def test_today_is_local_midnight(self):
        # In Shanghai it is already the 21st, so "today" is 2023-11-21 00:00 +08:00.
        assert parse_moment("today", "Asia/Shanghai", self.now) == utc(2023, 11, 20, 16, 0)
        assert parse_moment("today", "UTC", self.now) == utc(2023, 11, 20, 0, 0)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("today+30d", utc(2023, 12, 20, 16, 0)),
            ("today-1d", utc(2023, 11, 19, 16, 0)),
            ("today+2h", utc(2023, 11, 20, 18, 0)),
            ("now", utc(2023, 11, 20, 17, 30)),
            ("now+2h", utc(2023, 11, 20, 19, 30)),
            ("now-10m", utc(2023, 11, 20, 17, 20)),
            ("now+1d", utc(2023, 11, 21, 17, 30)),
            (" Today + 1d ", utc(2023, 11, 21, 16, 0)),
        ],
    )
    def test_relative_forms(self, text, expected):
        assert parse_moment(text, "Asia/Shanghai", self.now) == expected

    def test_today_plus_days_stays_on_local_midnight_across_dst(self):
        now = utc(2023, 3, 1, 12, 0)
        moment = parse_moment("today+30d", "America/New_York", now)
        # 2023-03-31 00:00 EDT (UTC-4), not 23:00 as adding 30×24 h to EST midnight would give.
        assert moment == utc(2023, 3, 31, 4, 0)

    @pytest.mark.parametrize(
        "text", ["", "   ", "tomorrow", "today+3w", "now+", "today*2d", "2023-13-01T00:00:00+08:00"]
    )
    def test_garbage_raises_validation_error_with_field(self, text):
        with pytest.raises(ValidationError) as info:
            parse_moment(text, "Asia/Shanghai", self.now, field="ends_at")
        assert list(info.value.fields) == ["ends_at"]

    def test_default_field_name_is_value(self):
        with pytest.raises(ValidationError) as info:
            parse_moment("soon", "Asia/Shanghai", self.now)
        assert "value" in info.value.fields

    @pytest.mark.parametrize("value", [None, 12, ["today"]])
    def test_non_string_raises_validation_error(self, value):
        with pytest.raises(ValidationError):
            parse_moment(value, "Asia/Shanghai", self.now)

    def test_relative_with_unknown_zone_is_a_validation_error(self):
        with pytest.raises(ValidationError):
            parse_moment("today", "Mars/Olympus", self.now)


class TestAsUtc:
    def test_naive_is_assumed_utc(self):
        assert as_utc(datetime(2023, 1, 1, 12, 0)) == utc(2023, 1, 1, 12, 0)
        assert as_utc(datetime(2023, 1, 1, 12, 0)).tzinfo is UTC

    def test_aware_is_converted(self):
        converted = as_utc(datetime(2023, 1, 1, 8, 0, tzinfo=CST))
        assert converted.hour == 0 and converted.utcoffset() == timedelta(0)


def test_relative_moment_takes_several_terms_for_the_end_of_a_day():
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 on the 25th in Shanghai
    end = parse_moment("today+31d-1s", "Asia/Shanghai", now)
    assert end == datetime(2026, 12, 25, 23, 59, 59, tzinfo=timezone(timedelta(hours=8)))
    assert parse_moment("now+1d-30m", "Asia/Shanghai", now) == now + timedelta(hours=23, minutes=30)


@pytest.mark.parametrize("text", ["today+", "today+1x", "today1d", "now+-1d", "tomorrow"])
def test_relative_moment_refuses_garbage(text):
    with pytest.raises(ValidationError):
        parse_moment(text, "Asia/Shanghai", datetime(2026, 11, 25, tzinfo=UTC))
