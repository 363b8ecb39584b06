"""The escalation sweep: entries, levels over working days, reminders, idempotence."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caseflow.clock import SHANGHAI, FixedClock
from caseflow.errors import PermissionDenied, Refused
from caseflow.services import alerts, cases, clearlist, tickets
from caseflow.services.app import App
from caseflow.services.permissions import Actor
from caseflow.services.sweep import sweep
from tests.conftest import Town
from tests.services.conftest import Overdue


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def entry_of(app: App, ticket_id: int) -> clearlist.EntryView | None:
    listed = clearlist.list_entries(app, include_signed_off=True, as_of=at(2030, 1, 1))
    found = [e for e in listed.entries if e.ticket_id == ticket_id]
    assert len(found) <= 1
    return found[0] if found else None


def alert_keys(app: App, ticket_id: int) -> list[tuple[str, int | None, str, str]]:
    return sorted((a.kind, a.level, a.recipient, a.channel)
                  for a in alerts.list_alerts(app, ticket_id=ticket_id))


def test_overdue_order_enters_the_list_once_and_alerts_once(app: App, order: Overdue) -> None:
    first = sweep(app, at(2026, 3, 5))
    entry = entry_of(app, order.ticket_id)
    assert entry is not None and entry.level == 1 and entry.status == "open"
    assert tickets.show_ticket(app, order.ticket_id).level == 1
    assert alert_keys(app, order.ticket_id) == [
        ("escalation", 1, "lead1", "log"), ("escalation", 1, "zhang", "log")]
    assert first.new_entries == 1 and first.alerts_queued == 2

    again = sweep(app, at(2026, 3, 5))
    earlier = sweep(app, at(2026, 3, 4, 12))
    for result in (again, earlier):
        assert (result.new_entries, result.raised, result.alerts_queued,
                result.reminders_queued) == (0, 0, 0, 0)
    assert len(alerts.list_alerts(app)) == 2
    history = [e.action for e in tickets.show_ticket(app, order.ticket_id).history]
    assert history.count("entry.enter") == 1


def test_not_yet_due_stays_off_the_list(app: App, order: Overdue) -> None:
    sweep(app, at(2026, 3, 4, 23, 59, 58))
    assert entry_of(app, order.ticket_id) is None
    sweep(app, at(2026, 3, 4, 23, 59, 59))  # due at the end of the due day, inclusive
    assert entry_of(app, order.ticket_id) is not None


def test_level_rises_in_place_by_working_days_across_may_day(
    app: App, town: Town, clock: FixedClock,
) -> None:
    view = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="五一厂", team="negotiation"))
    ticket = tickets.add_ticket(app, town.lead, view.id, "节前清场", due_on=date(2026, 4, 30),
                                assignee="zhang")
    # 1 May to 5 May are holidays, Saturday 9 May a make-up working day:
    # level 2 starts after 3 working days (end of Fri 8 May), level 3 after 7 (end of Wed 13 May)
    steps = [(at(2026, 5, 1), 1), (at(2026, 5, 8, 23), 1), (at(2026, 5, 9, 8), 2),
             (at(2026, 5, 13, 20), 2), (at(2026, 5, 14, 9), 3), (at(2026, 6, 30), 3)]
    for when, level in steps:
        clock.set(when)
        sweep(app)
        entry = entry_of(app, ticket.id)
        assert entry is not None and entry.level == level, when
    assert entry.next_level_at is None
    history = tickets.show_ticket(app, ticket.id).history
    assert [(e.action, (e.after or {}).get("level")) for e in history
            if e.action.startswith("entry.")] == [
        ("entry.enter", 1), ("entry.level", 2), ("entry.level", 3)]
    assert [a[1:3] for a in alert_keys(app, ticket.id)] == [
        (1, "lead1"), (1, "zhang"), (2, "sup"), (3, "root"), (3, "sup")]


def test_a_late_sweep_alerts_every_level_passed(app: App, order: Overdue) -> None:
    result = sweep(app, at(2026, 3, 20))
    entry = entry_of(app, order.ticket_id)
    assert entry is not None and entry.level == 3
    assert result.new_entries >= 1
    assert [a[1:3] for a in alert_keys(app, order.ticket_id)] == [
        (1, "lead1"), (1, "zhang"), (2, "sup"), (3, "root"), (3, "sup")]


def test_close_awaits_signoff_then_supervisor_signs_off(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    sweep(app, at(2026, 3, 5))
    entry = entry_of(app, order.ticket_id)
    assert entry is not None
    clock.set(at(2026, 3, 5, 10))
    with pytest.raises(Refused, match="awaiting sign-off"):
        clearlist.signoff(app, town.supervisor, entry.id, "看过了")
    tickets.close(app, town.member, order.ticket_id, "材料已补交")
    assert clearlist.show_entry(app, entry.id).status == "awaiting_signoff"
    assert clearlist.list_entries(app).left >= 1
    with pytest.raises(PermissionDenied):
        clearlist.signoff(app, town.lead, entry.id, "ok")
    signed = clearlist.signoff(app, town.supervisor, entry.id, "现场核实，销号")
    assert (signed.status, signed.signed_off_by) == ("signed_off", "sup")
    assert signed.signed_off_at == clock.now()
    left = clearlist.list_entries(app)
    assert entry.id not in [e.id for e in left.entries]
    assert entry.id in [e.id for e in clearlist.list_entries(app, include_signed_off=True).entries]
    with pytest.raises(Refused):
        clearlist.signoff(app, town.supervisor, entry.id, "again")
    # signed off: no further levels, however late it gets
    sweep(app, at(2026, 4, 30))
    after = entry_of(app, order.ticket_id)
    assert (after.status, after.level) == ("signed_off", 1)


def test_reject_reopens_the_order_and_the_entry_keeps_rising(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    sweep(app, at(2026, 3, 5))
    entry = entry_of(app, order.ticket_id)
    assert entry is not None
    clock.set(at(2026, 3, 5, 10))
    tickets.close(app, town.member, order.ticket_id, "材料已补交")
    rejected = clearlist.reject(app, town.supervisor, entry.id, "材料缺少村集体盖章")
    assert rejected.status == "open"
    assert tickets.show_ticket(app, order.ticket_id).status == "open"
    actions = [e.action for e in tickets.show_ticket(app, order.ticket_id).history]
    assert "entry.rejected" in actions and "ticket.reopen" in actions
    sweep(app, at(2026, 3, 10, 9))  # 3 working days after Wed 4 March have passed
    assert entry_of(app, order.ticket_id).level == 2


def test_extension_before_due_keeps_the_order_off_the_list(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    sweep(app, at(2026, 3, 3))
    tickets.extend(app, town.lead, order.ticket_id, date(2026, 3, 11), "企业负责人出差")
    sweep(app, at(2026, 3, 5))
    sweep(app, at(2026, 3, 11, 18))
    assert entry_of(app, order.ticket_id) is None
    sweep(app, at(2026, 3, 12, 9))
    assert entry_of(app, order.ticket_id).level == 1


def test_reminder_before_due_goes_to_the_assignee_only_once(app: App, order: Overdue) -> None:
    sweep(app, at(2026, 3, 3, 23))  # reminder falls at the end of Tue 3 March
    assert alert_keys(app, order.ticket_id) == []
    result = sweep(app, at(2026, 3, 4, 0, 5))
    assert result.reminders_queued == 1 and result.new_entries == 0
    assert alert_keys(app, order.ticket_id) == [("reminder", None, "zhang", "log")]
    assert sweep(app, at(2026, 3, 4, 0, 10)).reminders_queued == 0
    assert entry_of(app, order.ticket_id) is None


def test_order_of_a_case_on_hold_enters_when_the_case_resumes(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    cases.hold(app, town.lead, order.case_id, "企业涉诉，暂停")
    sweep(app, at(2026, 3, 6))
    assert entry_of(app, order.ticket_id) is None
    clock.set(at(2026, 3, 6, 10))
    cases.resume(app, town.lead, order.case_id, "诉讼结束")
    sweep(app, at(2026, 3, 6, 11))
    assert entry_of(app, order.ticket_id).level == 1


def test_order_reopened_after_its_due_time_enters_the_list(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    clock.set(at(2026, 3, 3))
    tickets.close(app, town.member, order.ticket_id, "已补交")
    sweep(app, at(2026, 3, 6))
    assert entry_of(app, order.ticket_id) is None
    clock.set(at(2026, 3, 6, 10))
    tickets.reopen(app, town.lead, order.ticket_id, "缺页")
    sweep(app, at(2026, 3, 6, 11))
    assert entry_of(app, order.ticket_id).level == 1


def test_list_filters_counts_and_order(app: App, town: Town, order: Overdue) -> None:
    sweep(app, at(2026, 3, 20))
    listed = clearlist.list_entries(app, as_of=at(2026, 3, 20))
    assert listed.left == len(listed.entries) == sum(listed.per_team.values())
    levels = [e.level for e in listed.entries]
    assert levels == sorted(levels, reverse=True)
    negotiation = clearlist.list_entries(app, team="negotiation", as_of=at(2026, 3, 20))
    assert {e.team for e in negotiation.entries} == {"negotiation"}
    assert listed.per_team["negotiation"] == len(negotiation.entries)
    assert clearlist.list_entries(app, town="桐乡市").entries == []
    top = clearlist.list_entries(app, level=3, as_of=at(2026, 3, 20))
    assert top.entries and {e.level for e in top.entries} == {3}
    assert clearlist.list_entries(app, as_of=at(2026, 3, 1)).entries == []


def test_entry_of_a_cancelled_order_waits_for_signoff(
    app: App, town: Town, order: Overdue, clock: FixedClock,
) -> None:
    sweep(app, at(2026, 3, 5))
    clock.set(at(2026, 3, 5, 10))
    cases.withdraw(app, town.lead, order.case_id, "企业主动关停")
    result = sweep(app, at(2026, 3, 5, 11))
    entry = entry_of(app, order.ticket_id)
    assert result.cancelled_to_signoff == 1
    assert entry.status == "awaiting_signoff" and entry.next_level_at is None
    clock.set(at(2026, 3, 6))
    assert clearlist.signoff(app, town.supervisor, entry.id, "企业已关停").status == "signed_off"
    assert sweep(app, at(2026, 3, 20)).raised == 0


def test_only_supervisors_admins_and_the_scheduler_may_sweep(
    app: App, town: Town, order: Overdue,
) -> None:
    for refused in (town.member, town.lead):
        with pytest.raises(PermissionDenied, match="may not run the escalation sweep"):
            sweep(app, at(2026, 3, 5), actor=refused)
    assert entry_of(app, order.ticket_id) is None  # nothing happened
    assert sweep(app, at(2026, 3, 5), actor=town.supervisor).new_entries == 1
    assert sweep(app, at(2026, 3, 12), actor=Actor.system()).raised == 1
    assert sweep(app, at(2026, 3, 20), actor=town.admin).as_of == at(2026, 3, 20)
