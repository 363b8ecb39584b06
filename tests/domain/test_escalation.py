"""Escalation levels and reminders over the official working-day calendar."""

from __future__ import annotations

from datetime import datetime

from caseflow.clock import SHANGHAI
from caseflow.config import bundled_workflows_dir
from caseflow.domain import escalation
from caseflow.domain.calendar import WorkCalendar, end_of_day
from caseflow.persistence.workflow_files import WorkflowCatalog

CAL = WorkCalendar()
GONGAI = WorkflowCatalog([bundled_workflows_dir()]).get("gongai")


def at(y: int, m: int, d: int, hh: int = 9) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SHANGHAI)


def test_level_one_starts_at_the_due_time_itself() -> None:
    due = at(2026, 3, 4, 17)  # an order due mid-afternoon
    assert escalation.standing(GONGAI, CAL, due, at(2026, 3, 4, 16)).level == 0
    now = escalation.standing(GONGAI, CAL, due, due)
    assert now.level == 1
    assert now.next_level_at == end_of_day(datetime(2026, 3, 9).date())  # Thu, Fri, Mon


def test_levels_skip_the_national_day_holidays() -> None:
    due = end_of_day(datetime(2026, 9, 30).date())
    # 1–7 October are holidays, Saturday 10 October a make-up working day
    second = escalation.standing(GONGAI, CAL, due, at(2026, 10, 8)).next_level_at
    assert second == end_of_day(datetime(2026, 10, 10).date())
    assert escalation.standing(GONGAI, CAL, due, at(2026, 10, 11)).level == 2
    third = escalation.standing(GONGAI, CAL, due, at(2026, 10, 11)).next_level_at
    assert third == end_of_day(datetime(2026, 10, 15).date())
    top = escalation.standing(GONGAI, CAL, due, at(2026, 10, 16))
    assert (top.level, top.next_level_at) == (3, None)


def test_reminder_falls_at_the_end_of_the_working_day_before() -> None:
    reminder = GONGAI.reminders[0]
    monday_due = end_of_day(datetime(2026, 3, 9).date())
    assert escalation.reminder_at(CAL, reminder, monday_due) == end_of_day(
        datetime(2026, 3, 6).date())  # Friday, not Sunday
    bound = escalation.reminder_due_bound(CAL, reminder, at(2026, 3, 6, 23))
    assert monday_due <= bound


def test_recipients_per_level() -> None:
    assert escalation.recipients(GONGAI, 1) == ("assignee", "team_lead")
    assert escalation.recipients(GONGAI, 3) == ("supervisors", "command_office")
    assert escalation.recipients(GONGAI, 9) == ()
    assert escalation.first_level_lead_time(GONGAI) == 0
