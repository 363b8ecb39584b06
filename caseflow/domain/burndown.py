"""The clear-to-zero list's burndown as a value: open items per day and the trend to zero.

Pure arithmetic (no I/O): the reports service computes a series, the exporters draw it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from caseflow.errors import InvalidInput

# A fitted line that needs more than a century to reach zero is not a projection.
MAX_PROJECTION_DAYS = 36_500

__all__ = ["MAX_PROJECTION_DAYS", "BurndownSeries", "Trend"]


@dataclass(frozen=True)
class Trend:
    """A least-squares line through the daily counts; x is days since ``start``."""

    start: date
    slope: float  # open items per day; negative means the list is shrinking
    intercept: float  # the fitted count on ``start``
    zero_date: date | None  # first day the line is at or below zero; None if not going down

    def value_at(self, day: date) -> float:
        return self.intercept + self.slope * (day - self.start).days


@dataclass
class BurndownSeries:
    """Open clear-list items counted once per day, dates strictly increasing (gaps allowed)."""

    dates: list[date]
    open_counts: list[int]

    def __post_init__(self) -> None:
        if len(self.dates) != len(self.open_counts):
            raise InvalidInput(
                f"burndown has {len(self.dates)} dates but {len(self.open_counts)} counts"
            )
        for earlier, later in zip(self.dates, self.dates[1:], strict=False):
            if later <= earlier:
                raise InvalidInput(f"burndown dates must increase: {later} follows {earlier}")
        if any(n < 0 for n in self.open_counts):
            raise InvalidInput("burndown counts cannot be negative")

    def offsets(self) -> list[int]:
        return [(d - self.dates[0]).days for d in self.dates] if self.dates else []

    def trend(self) -> Trend:
        """Fit a straight line and project the day it reaches zero (None unless slope < 0)."""
        if not self.dates:
            raise InvalidInput("burndown has no data to fit a trend to")
        start = self.dates[0]
        if len(self.dates) < 2:
            return Trend(start, 0.0, float(self.open_counts[0]), None)
        fit = statistics.linear_regression(self.offsets(), self.open_counts)
        slope, intercept = fit.slope, fit.intercept
        zero: date | None = None
        if slope < -1e-12:
            days = math.ceil(-intercept / slope - 1e-9)
            if days <= MAX_PROJECTION_DAYS:
                zero = start + timedelta(days=max(days, 0))
        return Trend(start, slope, intercept, zero)
