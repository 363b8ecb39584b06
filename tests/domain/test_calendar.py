"""Working-day deadlines under China's official schedule (调休 included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow.clock import SHANGHAI
from caseflow.domain.calendar import WorkCalendar, end_of_day, parse_overrides
from caseflow.errors import InvalidInput

cal = WorkCalendar()


def test_spring_festival_2026_make_up_saturday_counts() -> None:
    # Sat 02-14 is a make-up working day; 02-15..02-23 are the Spring Festival holiday.
    assert cal.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_national_day_2026_lands_on_make_up_saturday() -> None:
    assert cal.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_deadline_ends_at_end_of_nth_working_day_in_shanghai() -> None:
    opened = datetime(2026, 2, 13, 9, 30, tzinfo=SHANGHAI)
    due = cal.deadline(opened, 5, working=True)
    assert due == datetime(2026, 2, 27, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_calendar_days_ignore_holidays() -> None:
    opened = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert cal.deadline(opened, 3, working=False) == end_of_day(date(2026, 10, 3))


def test_opened_late_evening_utc_counts_from_shanghai_date() -> None:
    # 2026-02-12 17:00 UTC is already Friday 02-13 01:00 in Shanghai.
    opened = datetime(2026, 2, 12, 17, 0, tzinfo=UTC)
    assert cal.deadline(opened, 5, working=True) == end_of_day(date(2026, 2, 27))


def test_unknown_year_falls_back_to_weekdays_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    fresh = WorkCalendar()
    assert not fresh.is_known_year(2031)
    assert fresh.add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Fri → Mon
    assert 2031 in fresh.fallback_years
    assert "no official holiday schedule for 2031" in caplog.text


def test_override_file_supplies_a_new_year() -> None:
    overrides = parse_overrides(
        '[2031]\nholidays = ["2031-01-01", "2031-01-22..2031-01-28"]\n'
        'workdays = ["2031-01-18"]\n'
    )
    year_cal = WorkCalendar(overrides=overrides)
    assert year_cal.is_known_year(2031)
    assert not year_cal.is_workday(date(2031, 1, 1))
    assert year_cal.is_workday(date(2031, 1, 18))  # a Saturday made a working day
    assert year_cal.add_working_days(date(2031, 1, 21), 1) == date(2031, 1, 29)
    assert not year_cal.fallback_years


@pytest.mark.parametrize("text, problem", [
    ('[2031]\nholidays = ["2031-13-01"]\n', "month must be in 1..12"),
    ('[2031]\nholidays = ["2030-01-01"]\n', "of another year"),
    ('[2031]\nholidays = ["2031-01-01"]\nworkdays = ["2031-01-01"]\n', "holiday and workday"),
    ('[abc]\nholidays = []\n', "is not a year"),
    ('[2031]\nholiday = []\n', "unknown key 'holiday'"),
    ('[2031]\nholidays = ["2031-01-09..2031-01-02"]\n', "ends before it starts"),
])
def test_bad_override_files_are_named_errors(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_overrides(text, "holidays.toml")


def test_month_marks_adjusted_days() -> None:
    days = dict(cal.month(2026, 2))
    assert days[date(2026, 2, 14)] is True and cal.is_adjusted(date(2026, 2, 14))
    assert days[date(2026, 2, 16)] is False and cal.is_adjusted(date(2026, 2, 16))
    assert len(days) == 28


def test_shift_working_days_backwards_and_forwards() -> None:
    due = end_of_day(date(2026, 2, 27))
    assert cal.shift_working_days(due, -1) == end_of_day(date(2026, 2, 26))
    assert cal.shift_working_days(end_of_day(date(2026, 2, 24)), -1) == end_of_day(date(2026, 2, 14))
    # Saturday 02-28 is the second make-up working day of the 2026 Spring Festival.
    assert cal.shift_working_days(due, 3) == end_of_day(date(2026, 3, 3))


days_2025_2026 = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30))


@settings(max_examples=200, deadline=None)
@given(start=days_2025_2026, n=st.integers(min_value=1, max_value=40))
def test_adding_working_days_lands_on_a_working_day_and_counts_them(start: date, n: int) -> None:
    end = cal.add_working_days(start, n)
    assert cal.is_workday(end)
    counted = sum(1 for k in range(1, (end - start).days + 1)
                  if cal.is_workday(start + timedelta(days=k)))
    assert counted == n
    assert cal.working_days_between(start, end) == n


@settings(max_examples=200, deadline=None)
@given(start=days_2025_2026, a=st.integers(0, 30), b=st.integers(0, 30))
def test_adding_working_days_is_monotonic(start: date, a: int, b: int) -> None:
    assert cal.add_working_days(date(2025, 1, 1), 0) == cal.add_working_days(date(2025, 1, 1), 1)
    lo, hi = sorted((a, b))
    assert cal.add_working_days(start, lo) <= cal.add_working_days(start, hi)
    # strictly so from one working day on (0 from a holiday is the next working day, like 1)
    if 1 <= lo < hi:
        assert cal.add_working_days(start, lo) < cal.add_working_days(start, hi)


@settings(max_examples=200, deadline=None)
@given(a=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
       b=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
def test_working_days_between_agrees_with_counting_day_by_day(a: date, b: date) -> None:
    lo, hi = sorted((a, b))
    counted = sum(1 for k in range(1, (hi - lo).days + 1)
                  if cal.is_workday(lo + timedelta(days=k)))
    assert cal.working_days_between(lo, hi) == counted
    assert cal.working_days_between(hi, lo) == -counted


def test_a_named_holidays_file_that_is_missing_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from caseflow.config import load_settings
    from caseflow.errors import ConfigError

    env = {"CASEFLOW_HOLIDAYS": str(tmp_path / "nope.toml"), "HOME": str(tmp_path)}
    with pytest.raises(ConfigError, match="nope.toml does not exist"):
        load_settings(env)
    (tmp_path / "nope.toml").write_text('[2031]\nholidays = ["2031-01-01"]\n', encoding="utf-8")
    assert load_settings(env).holidays_file == tmp_path / "nope.toml"
