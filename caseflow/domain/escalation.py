"""When an overdue work order reaches each escalation level, and who hears of it.

Pure rules over a workflow's escalation policy and the working-day calendar. The
sweep asks these questions once per distinct (policy, due time) pair, never per
work order: thousands of orders share a handful of end-of-day deadlines.

Level 1 with an offset of ``0wd`` starts at the due time itself ("past its due
time"); every other level starts at the end of the working day ``after`` working
days after the due day (``calendar.shift_working_days``), so a level never starts
on a holiday and a weekend does not count towards "3 working days overdue".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caseflow.domain.calendar import WorkCalendar
from caseflow.domain.workflow import EscalationLevel, Reminder, WorkflowDefinition

# Recipient kinds a policy may name (validated by the workflow loader).
ASSIGNEE, TEAM_LEAD, SUPERVISORS, COMMAND_OFFICE = (
    "assignee", "team_lead", "supervisors", "command_office")


@dataclass(frozen=True)
class Standing:
    """Where an order stands as of a time: its level (0 = not on the list) and when
    the next level starts (None when the top level is reached)."""

    level: int
    next_level_at: datetime | None


def level_starts(calendar: WorkCalendar, level: EscalationLevel, due_at: datetime) -> datetime:
    """The instant ``level`` begins for an order due at ``due_at``."""
    if level.after.amount == 0:
        return due_at
    return calendar.shift_working_days(due_at, level.after.amount)


def standing(definition: WorkflowDefinition, calendar: WorkCalendar, due_at: datetime,
             as_of: datetime) -> Standing:
    """The level reached by ``as_of`` (levels start at their instant, inclusive)."""
    reached = 0
    for level in definition.levels:
        starts = level_starts(calendar, level, due_at)
        if starts <= as_of:
            reached = level.level
        else:
            return Standing(reached, starts)
    return Standing(reached, None)


def reminder_at(calendar: WorkCalendar, reminder: Reminder, due_at: datetime) -> datetime:
    """When a reminder ``before`` working days ahead of the due time falls due:
    the end of the working day that many working days before the due day."""
    return calendar.shift_working_days(due_at, -reminder.before.amount)


def recipients(definition: WorkflowDefinition, level: int) -> tuple[str, ...]:
    """The recipient kinds alerted when an order reaches ``level``."""
    found = definition.level(level)
    return found.notify if found is not None else ()


def first_level_lead_time(definition: WorkflowDefinition) -> int:
    """Working days between the due time and level 1 (0 for the bundled workflows).

    The sweep widens its due-time window by this much so that an order reaching
    level 1 some days after its due time is still found by an indexed range scan.
    """
    return definition.levels[0].after.amount if definition.levels else 0


def reminder_due_bound(calendar: WorkCalendar, reminder: Reminder, hi: datetime) -> datetime:
    """An upper bound on the due time of orders whose reminder falls at or before ``hi``.

    A reminder ``n`` working days ahead falls on the nth working day before the due
    day, so the due day comes before the (n+1)th working day after ``hi``'s day.
    """
    return calendar.shift_working_days(hi, reminder.before.amount + 1)
