"""Working days under China's official holiday schedule.

The State Council publishes next year's holidays and make-up working days (调休)
late in the year. ``chinese_calendar`` ships the published years; an override table
(usually loaded from a ``holidays.toml`` by the config layer) adds or corrects years,
and any year known to neither falls back to Monday–Friday with a warning, because a
deadline computed a little wrong is better than a work order that cannot be opened.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from caseflow.clock import SHANGHAI, local_date
from caseflow.domain import values
from caseflow.errors import InvalidInput
from caseflow.i18n import Text, text

log = logging.getLogger(__name__)

END_OF_DAY = time(23, 59, 59)


def fallback_warning(year: int) -> Text:
    """The one wording of "this year has no official schedule" (CLI and library)."""
    return text("no official holiday schedule for {year}; counting Monday–Friday (add the "
                "year to holidays.toml once the State Council publishes it)", year=year)


@dataclass(frozen=True)
class YearSchedule:
    """One year's official exceptions to the Monday–Friday week."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@lru_cache(maxsize=4096)
def _library_is_workday(day: date) -> bool | None:
    """What chinese_calendar says, or None for a year it does not know."""
    import chinese_calendar  # local: 7 ms of import kept off paths that never count days

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass
class WorkCalendar:
    """Answers "is this a working day" and counts deadlines in working days."""

    overrides: Mapping[int, YearSchedule] = field(default_factory=dict)
    use_library: bool = True
    fallback_years: set[int] = field(default_factory=set)

    def is_workday(self, day: date) -> bool:
        schedule = self.overrides.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            if day in schedule.holidays:
                return False
            return day.weekday() < 5
        if self.use_library:
            known = _library_is_workday(day)
            if known is not None:
                return known
        if day.year not in self.fallback_years:
            self.fallback_years.add(day.year)
            log.warning(fallback_warning(day.year))
        return day.weekday() < 5

    def warn_unknown(self, years: Iterable[int]) -> None:
        """Warn now (once per year) about years counted Monday–Friday."""
        for year in sorted(years):
            if year not in self.fallback_years and not self.is_known_year(year):
                self.fallback_years.add(year)
                log.warning(fallback_warning(year))

    def is_known_year(self, year: int) -> bool:
        """True when the year's official schedule is known (library or override)."""
        if year in self.overrides:
            return True
        return self.use_library and _library_is_workday(date(year, 6, 1)) is not None

    def add_working_days(self, start: date, count: int) -> date:
        """The Nth working day after ``start`` (``start`` itself not counted).

        ``count == 0`` means ``start`` itself when it is a working day, else the next one.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        values.day(start)
        if count:
            values.working_span(count)
        day = start
        if count == 0:
            while not self.is_workday(day):
                day += timedelta(days=1)
            return day
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if day > values.LAST_DAY:
                values.day(day, "deadline")
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start.

        Answered from per-year running totals, so listing hundreds of orders with
        "overdue N working days" costs a lookup each, not a walk over the days.
        """
        if end < start:
            return -self.working_days_between(end, start)
        cutoff = self._counted_until()
        if end > cutoff:  # years nobody has published: Monday–Friday, counted not walked
            inside = self.working_days_between(min(start, cutoff), cutoff)
            return inside + _weekdays_between(max(start, cutoff), end)
        if start < values.FIRST_DAY:
            inside = self.working_days_between(values.FIRST_DAY, max(end, values.FIRST_DAY))
            return inside + _weekdays_between(start, min(end, values.FIRST_DAY))
        first, last = self._year_totals(start.year), self._year_totals(end.year)
        if start.year == end.year:
            return last[_day_index(end)] - first[_day_index(start)]
        total = first[-1] - first[_day_index(start)] + last[_day_index(end)]
        return total + sum(self._year_totals(y)[-1] for y in range(start.year + 1, end.year))

    def _counted_until(self) -> date:
        """The last day counted day by day: the year after the last official schedule
        known (library or override), where a deadline set today may fall."""
        cached = self.__dict__.get("_counted_until_day")
        if cached is None:
            import chinese_calendar

            known = [max(chinese_calendar.holidays).year] if self.use_library else []
            known += list(self.overrides)
            cached = date(min(max(known, default=2026) + 1, values.LAST_DAY.year), 12, 31)
            self.__dict__["_counted_until_day"] = cached
        return cached

    def _year_totals(self, year: int) -> list[int]:
        """Working days from 1 January through each day of ``year`` (computed once)."""
        cache: dict[int, list[int]] = self.__dict__.setdefault("_totals_by_year", {})
        totals = cache.get(year)
        if totals is None:
            totals, running, day = [], 0, date(year, 1, 1)
            while True:
                running += self.is_workday(day)
                totals.append(running)
                if (day.month, day.day) == (12, 31):
                    break  # not day + 1: past 9999-12-31 that overflows (an old bad row)
                day += timedelta(days=1)
            cache[year] = totals
        return totals

    def deadline(self, opened_at: datetime, amount: int, working: bool) -> datetime:
        """The UTC instant a deadline of ``amount`` (working) days ends, counted from
        the Shanghai date of ``opened_at``: the end of that day, Asia/Shanghai time."""
        start = values.day(local_date(opened_at))
        if amount and not working:
            values.working_span(amount)
        day = self.add_working_days(start, amount) if working else start + timedelta(days=amount)
        return end_of_day(values.day(day, "deadline"))

    def shift_working_days(self, instant: datetime, amount: int) -> datetime:
        """``instant``'s Shanghai day moved by ``amount`` working days, at end of day.

        Used for escalation offsets ("3 working days after the due time") and
        reminders ("1 working day before"): the result is the end of a working day.
        """
        day = local_date(instant)
        if amount >= 0:
            return end_of_day(self.add_working_days(day, amount))
        remaining = -amount
        while remaining:
            day -= timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return end_of_day(day)

    def month(self, year: int, month: int) -> list[tuple[date, bool]]:
        """Every day of a month with whether it is a working day."""
        values.month(year, month)
        first = date(year, month, 1)
        days: list[tuple[date, bool]] = []
        day = first
        while day.month == month:
            days.append((day, self.is_workday(day)))
            day += timedelta(days=1)
        return days

    def is_adjusted(self, day: date) -> bool:
        """True for a make-up working day on a weekend or a holiday on a weekday."""
        return self.is_workday(day) != (day.weekday() < 5)


def _weekdays_between(start: date, end: date) -> int:
    """Monday–Friday days in (start, end], without walking them."""
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for _ in range(rest):
        weekday = (weekday + 1) % 7
        count += weekday < 5
    return count


def _day_index(day: date) -> int:
    return day.timetuple().tm_yday - 1


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in Shanghai, as a UTC instant."""
    return datetime.combine(day, END_OF_DAY, SHANGHAI).astimezone(UTC)


_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.\s*(\d{4}-\d{2}-\d{2}))?\s*$")


def _expand(entries: Iterable[object], where: str) -> set[date]:
    days: set[date] = set()
    for entry in entries:
        match = _RANGE.match(str(entry)) if isinstance(entry, str | date) else None
        if isinstance(entry, date):
            days.add(entry)
            continue
        if not match:
            raise InvalidInput(
                f"{where}: {entry!r} is not a date or a range YYYY-MM-DD..YYYY-MM-DD"
            )
        try:
            first = date.fromisoformat(match.group(1))
            last = date.fromisoformat(match.group(2)) if match.group(2) else first
        except ValueError as exc:
            raise InvalidInput(f"{where}: {entry!r}: {exc}") from None
        if last < first:
            raise InvalidInput(f"{where}: range {entry!r} ends before it starts")
        while first <= last:
            days.add(first)
            first += timedelta(days=1)
    return days


def parse_overrides(text: str, source: str = "holidays.toml") -> dict[int, YearSchedule]:
    """Parse a holiday override file::

    [2027]
    holidays = ["2027-01-01", "2027-02-06..2027-02-13"]
    workdays = ["2027-02-14"]
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML: {exc}") from None
    result: dict[int, YearSchedule] = {}
    for key, table in data.items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise InvalidInput(f"{source}: [{key}] is not a year")
        if not isinstance(table, dict):
            raise InvalidInput(f"{source}: [{key}] must be a table with holidays and workdays")
        unknown = set(table) - {"holidays", "workdays"}
        if unknown:
            raise InvalidInput(f"{source}: [{key}] unknown key {sorted(unknown)[0]!r}")
        year = int(key)
        holidays = _expand(table.get("holidays", []), f"{source}: [{key}] holidays")
        workdays = _expand(table.get("workdays", []), f"{source}: [{key}] workdays")
        stray = sorted(d for d in holidays | workdays if d.year != year)
        if stray:
            raise InvalidInput(f"{source}: [{key}] lists {stray[0]} of another year")
        both = sorted(holidays & workdays)
        if both:
            raise InvalidInput(f"{source}: [{key}] lists {both[0]} as holiday and workday")
        result[year] = YearSchedule(frozenset(holidays), frozenset(workdays))
    return result
