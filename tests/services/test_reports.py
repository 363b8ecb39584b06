"""Supervisor reports computed from the audit trail: weekly ranking, progress, burndown."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import pytest

from caseflow.clock import SHANGHAI, FixedClock
from caseflow.domain.durations import Duration
from caseflow.errors import InvalidInput
from caseflow.persistence.models import ClearListEntry, Ticket
from caseflow.services import audit, cases, projects, reports, tickets
from caseflow.services.app import App
from caseflow.services.permissions import Actor


def at(text: str) -> datetime:
    """``2026-03-11 10:00`` in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def put_entry(app: App, ticket_id: int, entered: datetime,
              signed_off: datetime | None = None) -> int:
    """A clear-list entry and its audit events, as the escalation service would write them."""
    with app.uow() as uow:
        session = uow.session
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        entry = ClearListEntry(ticket_id=ticket_id, team_id=ticket.team_id, level=1,
                               status="open", entered_at=entered)
        session.add(entry)
        session.flush()
        audit.record(session, at=entered, actor="scheduler", action="entry.enter", ticket=ticket,
                     entry_id=entry.id, after={"level": 1, "status": "open"})
        if signed_off is not None:
            entry.status, entry.signed_off_at, entry.signed_off_by = \
                "signed_off", signed_off, "sup"
            session.add(entry)
            audit.record(session, at=signed_off, actor="sup", action="entry.signed_off",
                         ticket=ticket, entry_id=entry.id, after={"status": "signed_off"})
        uow.commit()
        assert entry.id is not None
        return entry.id


def sign_off(app: App, entry_id: int, when: datetime) -> None:
    with app.uow() as uow:
        entry = uow.session.get(ClearListEntry, entry_id)
        assert entry is not None
        entry.status, entry.signed_off_at, entry.signed_off_by = "signed_off", when, "sup"
        uow.session.add(entry)
        uow.commit()


def close_stage_orders(app: App, admin: Actor, case_id: int) -> None:
    for t in tickets.list_tickets(app, admin, scope="all", case_id=case_id):
        tickets.close(app, admin, t.id, "done")


class Week11:
    """Two weeks in March 2026 (no holidays): W10 is set-up, W11 is the week under test.

    negotiation (lead1, zhang): t1 due Tue 10th closed Wed 11th (late), t2 due Fri 13th
    closed Thu 12th (on time), t3 due Wed 11th never closed (overdue), t4 due Thu 5th
    but extended in W10 to the 20th. demolition (zhao): t5 due 10th closed 10th, t6 due
    12th closed 13th. Every stage order is closed by the admin in W10.
    """

    def __init__(self, app: App, clock: FixedClock, town) -> None:  # noqa: ANN001
        self.app, self.clock, self.town = app, clock, town
        admin, lead, zhang, zhao = town.admin, town.lead, town.member, town.outsider
        clock.set(at("2026-03-02 09:00"))
        self.case_a = cases.add_case(app, lead, "SW01", cases.NewCase(
            "甲五金厂", area_mu=12.5, team="negotiation")).id
        self.case_b = cases.add_case(app, admin, "TX01", cases.NewCase(
            "乙纺织", area_mu=3.0, team="demolition")).id
        close_stage_orders(app, admin, self.case_a)
        close_stage_orders(app, admin, self.case_b)
        new = tickets.add_ticket
        self.t1 = new(app, lead, self.case_a, "补充材料一", due_on=date(2026, 3, 10)).id
        self.t2 = new(app, lead, self.case_a, "补充材料二", due_on=date(2026, 3, 13)).id
        self.t3 = new(app, lead, self.case_a, "补充材料三", due_on=date(2026, 3, 11)).id
        self.t4 = new(app, lead, self.case_a, "补充材料四", due_on=date(2026, 3, 5)).id
        clock.set(at("2026-03-04 10:00"))
        tickets.extend(app, lead, self.t4, date(2026, 3, 20), "村集体改期")
        clock.set(at("2026-03-09 10:00"))
        self.t5 = new(app, zhao, self.case_b, "拆除前安全检查", due_on=date(2026, 3, 10)).id
        self.t6 = new(app, zhao, self.case_b, "清运建筑垃圾", due_on=date(2026, 3, 12)).id
        clock.set(at("2026-03-10 16:00"))
        tickets.close(app, zhao, self.t5, "已检查")
        clock.set(at("2026-03-11 09:00"))
        self.e1 = put_entry(app, self.t1, at("2026-03-11 09:00"))
        clock.set(at("2026-03-11 10:00"))
        tickets.close(app, zhang, self.t1, "已补充")
        clock.set(at("2026-03-12 09:00"))
        self.e3 = put_entry(app, self.t3, at("2026-03-12 09:00"))
        tickets.close(app, zhang, self.t2, "已补充")
        clock.set(at("2026-03-13 11:00"))
        tickets.close(app, zhao, self.t6, "已清运")
        sign_off(app, self.e1, at("2026-03-13 15:00"))
        clock.set(at("2026-03-16 09:00"))  # Monday of W12


@pytest.fixture
def week11(app: App, clock: FixedClock, town) -> Week11:  # noqa: ANN001
    return Week11(app, clock, town)


def by_unit(report: reports.WeeklyReport) -> dict[str, reports.WeeklyRow]:
    return {row.unit: row for row in report.rows}


def test_weekly_figures_per_team(app: App, week11: Week11) -> None:
    report = reports.weekly(app, "2026-W11", by="team")
    assert (report.week, report.previous_week) == ("2026-W11", "2026-W10")
    assert (report.start, report.end) == (date(2026, 3, 9), date(2026, 3, 15))
    rows = by_unit(report)
    neg, dem = rows["negotiation"], rows["demolition"]
    assert (neg.opened, neg.closed, neg.closed_on_time, neg.on_time_rate) == (0, 2, 1, 50.0)
    assert (neg.overdue, neg.mean_overdue_days) == (1, 2.0)  # t3: Thu 12th and Fri 13th
    assert (neg.entries_added, neg.entries_signed_off, neg.entries_left) == (2, 1, 1)
    assert (dem.opened, dem.closed, dem.closed_on_time, dem.overdue) == (2, 2, 1, 0)
    assert (dem.entries_added, dem.entries_left, dem.mean_overdue_days) == (0, 0, None)
    assert rows["office"].on_time_rate is None


def test_default_week_is_the_last_complete_one(app: App, week11: Week11) -> None:
    assert reports.weekly(app).week == "2026-W11"  # clock: Monday 16 March, W12 just begun


def test_ranking_and_movement_against_the_previous_week(app: App, week11: Week11) -> None:
    rows = by_unit(reports.weekly(app, "2026-W11"))
    # W11: both 50 % on time; demolition has nothing overdue, negotiation one order.
    assert rows["demolition"].rank == 1
    assert rows["negotiation"].rank == 2
    assert {rows[t].rank for t in ("office", "relocation", "investment")} == {3}
    # W10: all closes on time, none overdue; so most closed first: office 4 (stage orders
    # of both cases), negotiation 2, relocation 1.
    w10 = by_unit(reports.weekly(app, "2026-W10"))
    assert (w10["office"].rank, w10["negotiation"].rank, w10["relocation"].rank) == (1, 2, 3)
    assert (w10["negotiation"].opened, w10["negotiation"].closed) == (6, 2)
    assert w10["negotiation"].overdue == 0  # t4 was due on the 5th but extended on the 4th
    assert (rows["negotiation"].previous_rank, rows["negotiation"].movement) == (2, 0)
    assert (rows["office"].previous_rank, rows["office"].movement) == (1, -2)
    assert rows["demolition"].previous_rank is None  # did nothing in W10
    assert rows["demolition"].movement is None


def test_past_week_does_not_change_when_todays_data_does(app: App, week11: Week11) -> None:
    town, clock = week11.town, week11.clock
    before = {by: [asdict(r) for r in reports.weekly(app, "2026-W11", by=by).rows]
              for by in reports.WEEKLY_UNITS}
    clock.set(at("2026-03-17 10:00"))
    tickets.extend(app, town.lead, week11.t3, date(2026, 3, 31), "延期")
    tickets.close(app, town.member, week11.t3, "终于办完")
    tickets.reopen(app, town.member, week11.t2, "材料不全")
    tickets.assign(app, town.lead, week11.t2, "wang")
    tickets.add_ticket(app, town.lead, week11.case_a, "新工单", within=Duration(1, True))
    sign_off(app, week11.e3, at("2026-03-17 11:00"))
    clock.set(at("2026-03-30 10:00"))
    after = {by: [asdict(r) for r in reports.weekly(app, "2026-W11", by=by).rows]
             for by in reports.WEEKLY_UNITS}
    assert after == before
    assert reports.weekly(app, "2026-W12").rows != reports.weekly(app, "2026-W11").rows


def test_reopened_after_the_week_counts_as_it_was(app: App, week11: Week11) -> None:
    """t2 closed in W11, reopened in W12 and overdue now: W11 still shows it closed."""
    town, clock = week11.town, week11.clock
    clock.set(at("2026-03-17 10:00"))
    tickets.reopen(app, town.member, week11.t2, "材料不全")
    w12 = by_unit(reports.weekly(app, "2026-W12"))
    assert w12["negotiation"].overdue == 2  # t2 (due 13th, reopened) and t3
    w11 = by_unit(reports.weekly(app, "2026-W11"))
    assert (w11["negotiation"].closed, w11["negotiation"].overdue) == (2, 1)


def test_weekly_by_project_town_and_person(app: App, week11: Week11) -> None:
    projects_ = by_unit(reports.weekly(app, "2026-W11", by="project"))
    assert (projects_["SW01"].closed, projects_["SW01"].overdue) == (2, 1)
    assert (projects_["TX01"].opened, projects_["TX01"].closed) == (2, 2)
    towns = by_unit(reports.weekly(app, "2026-W11", by="town"))
    assert towns["神湾镇"].unit_name == "神湾镇"
    assert (towns["桐乡市"].closed_on_time, towns["神湾镇"].entries_left) == (1, 1)
    people = by_unit(reports.weekly(app, "2026-W11", by="person"))
    assert (people["zhang"].closed, people["zhang"].on_time_rate) == (2, 50.0)
    assert people["zhang"].unit_name == "张三"
    assert (people["zhao"].closed, people["zhao"].closed_on_time) == (2, 1)
    assert people[reports.NO_UNIT].overdue == 1  # t3 sat unassigned in the team queue
    assert people["zhang"].entries_signed_off == 1  # t1 was zhang's when signed off


def test_weekly_refuses_bad_input(app: App, week11: Week11) -> None:
    with pytest.raises(InvalidInput, match="ISO week"):
        reports.weekly(app, "2026-11")
    with pytest.raises(InvalidInput, match="ISO week"):
        reports.weekly(app, "2026-W54")
    with pytest.raises(InvalidInput, match="has not started"):
        reports.weekly(app, "2026-W40")
    with pytest.raises(InvalidInput, match="--by"):
        reports.weekly(app, "2026-W11", by="village")


# --------------------------------------------------------------------------- progress


def advance_to(app: App, admin: Actor, case_id: int, stage: str) -> None:
    while cases.show_case(app, case_id, with_history=False).stage != stage:
        for t in tickets.list_tickets(app, admin, scope="all", case_id=case_id):
            if t.required:
                tickets.close(app, admin, t.id, "完成")
        cases.advance(app, admin, case_id, note="进入下一环节", open_orders="cancel")


def test_progress_completion_rate_to_two_decimals(app: App, clock: FixedClock, town) -> None:  # noqa: ANN001
    admin = town.admin
    projects.add_project(app, admin, "XL01", "小岗工业园", "小榄镇", "gongai",
                         area_mu=1200.0, target_mu=800.0)
    areas = [300.5, 307.32, 200.0]
    built = [cases.add_case(app, admin, "XL01", cases.NewCase(f"企业{i}", area_mu=a)).id
             for i, a in enumerate(areas)]
    waiting = cases.add_case(app, admin, "XL01", cases.NewCase("未拆企业", area_mu=99.0)).id
    relocating = cases.add_case(app, admin, "XL01", cases.NewCase("腾挪企业", area_mu=5.0)).id
    clock.set(at("2026-04-01 10:00"))
    for case_id in built:
        advance_to(app, admin, case_id, "build")
    advance_to(app, admin, waiting, "demolish")
    advance_to(app, admin, relocating, "relocate")
    advance_to(app, admin, built[0], "attract")  # still counted once
    report = reports.progress(app, 2026, by="project")
    row = {r.unit: r for r in report.rows}["XL01"]
    assert row.through_mu == pytest.approx(807.82)
    assert row.through_cases == 3
    assert row.target_mu == 800.0
    assert row.completion_rate == 100.98
    assert row.relocated == 4  # the three built and the one waiting at demolish
    assert (report.elapsed_days, report.days_in_year) == (91, 365)
    assert row.projected_mu == round(807.82 / 91 * 365, 2)
    funnel = {s.stage: s.cases for s in row.funnel}
    assert [s.label_zh for s in row.funnel][:5] == ["谈", "移", "拆", "建", "引"]
    assert funnel == {"negotiate": 0, "relocate": 1, "demolish": 1, "build": 2, "attract": 1,
                      "done": 0, "on_hold": 0, "withdrawn": 0}
    assert row.cases == 5


def test_progress_by_town_and_other_workflow(app: App, clock: FixedClock, town) -> None:  # noqa: ANN001
    admin = town.admin
    projects.add_project(app, admin, "TX02", "桐乡第二园", "桐乡市", "tuisan",
                         area_mu=10.0, target_mu=5.0)
    reclaimed = cases.add_case(app, admin, "TX01", cases.NewCase("丙", area_mu=2.25)).id
    parked = cases.add_case(app, admin, "TX02", cases.NewCase("丁", area_mu=1.5)).id
    clock.set(at("2026-06-01 10:00"))
    advance_to(app, admin, reclaimed, "demolish")
    for t in tickets.list_tickets(app, admin, scope="all", case_id=reclaimed):
        tickets.close(app, admin, t.id, "完成")
    cases.advance(app, admin, reclaimed, "reclaim", note="收储", open_orders="cancel")
    advance_to(app, admin, parked, "demolish")
    report = reports.progress(app, 2026, by="town")
    rows = {r.unit: r for r in report.rows}
    tongxiang = rows["桐乡市"]
    assert tongxiang.target_mu == 50.0  # 45 + 5
    assert tongxiang.through_mu == 2.25
    assert tongxiang.completion_rate == 4.5
    assert tongxiang.relocated == 0  # tuisan has no relocate stage
    assert [s.label_zh for s in tongxiang.funnel][:3] == ["整治“低散乱”", "腾退签约", "拆除"]
    assert rows["神湾镇"].through_mu == 0.0
    # last year saw none of this
    last_year = {r.unit: r for r in reports.progress(app, 2025, by="town").rows}
    assert last_year["桐乡市"].through_mu == 0.0
    assert reports.progress(app, 2025).elapsed_days == 365


# --------------------------------------------------------------------------- burndown


def test_burndown_counts_open_entries_at_each_days_end(app: App, week11: Week11) -> None:
    clock = week11.clock
    clock.set(at("2026-03-14 12:00"))
    series = reports.burndown(app, days=5)
    assert series.dates == [date(2026, 3, d) for d in range(10, 15)]
    # e1 entered 11th, signed off 13th; e3 entered 12th and still open
    assert series.open_counts == [0, 1, 2, 1, 1]
    demolition = reports.burndown(app, days=5, team="demolition")
    assert demolition.open_counts == [0] * 5
    with pytest.raises(InvalidInput):
        reports.burndown(app, days=0)
