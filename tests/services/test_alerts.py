"""The daily digest: per person, working days only (make-up Saturdays included), once a day."""

from __future__ import annotations

from datetime import datetime

import pytest

from caseflow.adapters.notifiers import LogChannel
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.errors import PermissionDenied
from caseflow.services import alerts
from caseflow.services.app import App
from tests.conftest import Town
from tests.services.conftest import Overdue


def at(y: int, m: int, d: int, hh: int = 8, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def test_digest_per_person_once_per_working_day(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    clock.set(at(2026, 3, 5))  # Thursday: zhang's order (due Wed) is overdue
    result = alerts.digest(app)
    assert result.working_day and result.people == 2  # zhang; lead1 for the team's queue
    digests = {a.recipient: a for a in alerts.list_alerts(app) if a.kind == "digest"}
    assert set(digests) == {"zhang", "lead1"}
    assert digests["zhang"].subject == "【每日待办】2026-03-05 未办结 1 项，其中逾期 1 项"
    assert alerts.digest(app).queued == 0  # the scheduler ran twice: still one per person

    sent = alerts.dispatch(app, [LogChannel()])
    assert sent.sent == 2
    clock.set(at(2026, 3, 6))
    assert alerts.digest(app).queued == 2  # a new day, a new digest


def test_no_digest_on_weekends_and_holidays_but_on_make_up_saturdays(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    clock.set(at(2026, 3, 7))  # Saturday
    assert alerts.digest(app) == alerts.DigestResult(
        day=at(2026, 3, 7).date(), working_day=False, people=0, queued=0)
    clock.set(at(2026, 10, 1))  # National Day
    assert not alerts.digest(app).working_day
    clock.set(at(2026, 10, 10))  # Saturday, a make-up working day (调休)
    assert alerts.digest(app).queued == 2


def test_members_and_leads_may_not_run_delivery_or_the_digest(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    clock.set(at(2026, 3, 5))
    for refused in (town.member, town.lead):
        with pytest.raises(PermissionDenied, match="may not queue the daily digest"):
            alerts.digest(app, actor=refused)
        with pytest.raises(PermissionDenied, match="may not deliver alerts"):
            alerts.dispatch(app, [LogChannel()], actor=refused)
    assert alerts.list_alerts(app) == []
    assert alerts.digest(app, actor=town.supervisor).queued == 2
    assert alerts.dispatch(app, [LogChannel()], actor=town.admin).sent == 2
