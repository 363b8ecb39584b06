from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from caseflow.domain.durations import Duration, parse_date, parse_duration, parse_instant
from caseflow.errors import InvalidInput


@pytest.mark.parametrize("text, expected", [
    ("5wd", Duration(5, True)), ("10d", Duration(10, False)), (" 3 WD ", Duration(3, True)),
    ("5工作日", Duration(5, True)), ("10天", Duration(10, False)),
])
def test_durations(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "5", "wd", "-3wd", "5 weeks", "5.5wd", "99999wd"])
def test_bad_durations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(InvalidInput, match="5wd"):
        parse_duration(text)


def test_dates_in_the_forms_people_type() -> None:
    assert parse_date("2026-03-01") == date(2026, 3, 1)
    assert parse_date("2026/3/1") == date(2026, 3, 1)
    assert parse_date("2026年3月1日") == date(2026, 3, 1)
    with pytest.raises(InvalidInput, match="not a date"):
        parse_date("2026-02-30")
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date("next tuesday")


def test_instants_default_to_shanghai() -> None:
    assert parse_instant("2026-03-02T09:00") == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert parse_instant("2026-03-02") == datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC)
    assert parse_instant("2026-03-02T01:00Z") == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        parse_instant("yesterday-ish")
