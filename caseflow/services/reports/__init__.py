"""Supervisor reports: the weekly ranking (``weekly``), progress against the year's
target (``progress``) and the clear-to-zero burndown (``burndown``), one module each.

``from caseflow.services import reports`` then ``reports.weekly(...)`` keeps working:
the use cases and their result types are re-exported here.
"""

from caseflow.services.reports.burndown import burndown
from caseflow.services.reports.progress import (
    PROGRESS_UNITS,
    FunnelStep,
    ProgressReport,
    ProgressRow,
    progress,
)
from caseflow.services.reports.weekly import (
    NO_UNIT,
    SNAPSHOT_ACTIONS,
    WEEKLY_UNITS,
    WeeklyReport,
    WeeklyRow,
    rank_rows,
    weekly,
)
from caseflow.services.reports.weeks import Week, last_complete_week, parse_week, percent

__all__ = [
    "NO_UNIT", "PROGRESS_UNITS", "SNAPSHOT_ACTIONS", "WEEKLY_UNITS", "FunnelStep",
    "ProgressReport", "ProgressRow", "Week", "WeeklyReport", "WeeklyRow", "burndown",
    "last_complete_week", "parse_week", "percent", "progress", "rank_rows", "weekly",
]
