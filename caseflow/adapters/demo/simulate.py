"""Weeks of a town's work, simulated through the services with an injected clock.

Each working day: leads hand out new work orders, members start and close them
(most on time, some late, a few very late), leads extend a few deadlines with a
reason, cases whose required orders are closed move on to their next stage, a few
are put on hold and resumed, supervisors sign off what was fixed, and at the end of
every day the escalation sweep runs. Everything is a real service call, so the demo
database holds exactly the audit trail such weeks would leave.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from caseflow.adapters.demo.town import Town
from caseflow.clock import SHANGHAI, FixedClock, local_date
from caseflow.errors import CaseflowError
from caseflow.services import cases, clearlist, tickets
from caseflow.services.app import App
from caseflow.services.permissions import Actor
from caseflow.services.sweep import sweep
from caseflow.services.views import TicketView

# the forward trigger(s) out of each stage, in order of preference
FORWARD: dict[str, dict[str, tuple[str, ...]]] = {
    "gongai": {"negotiate": ("relocate",), "relocate": ("demolish",), "demolish": ("build",),
               "build": ("attract",), "attract": ("complete",)},
    "tuisan": {"rectify": ("sign_exit",), "sign_exit": ("demolish",),
               "demolish": ("enter_park", "reclaim"), "reclaim": ("complete_reclaim",),
               "enter_park": ("complete_park",)},
}

CLOSE_NOTES = [
    "已现场核查，资料齐全，完成", "已与企业负责人面谈并签字确认", "村集体已盖章确认",
    "已拍照留档，整改到位", "已上传相关材料至专班台账", "经复核符合要求，办结",
    "已会同国土、住建部门联合验收", "企业已按约定完成，现场无遗留问题",
]
LATE_NOTES = ["因企业负责人外出延误，现已完成", "村集体表决推迟，已补办完成",
              "权属资料不全，补齐后完成", "受天气影响延误，现已完成"]
EXTEND_REASONS = ["企业申请延期搬迁，已经指挥部同意", "村集体需召开股东代表大会表决",
                  "待市自然资源局出具意见"]
HOLD_REASONS = ["企业提起行政复议，暂缓推进", "权属存在争议，待法院裁定"]
# each working day, the chance that an overdue order still far from done is pressed
# (督办) and finished within a few days: the clear-to-zero list is worked down
PUSHED = 0.12
SIGNOFF_NOTES = ["经督查组现场复核，同意销号", "资料齐全，整改到位，予以销号"]


@dataclass
class Order:
    id: int
    case_id: int
    team: str | None
    required: bool
    due: date
    close_on: date | None
    assignee: str | None = None
    started: bool = False
    extended: bool = False


@dataclass
class Stats:
    closed_on_time: int = 0
    closed_late: int = 0
    conflicts: int = 0
    assigned: int = 0
    extended: int = 0
    advanced: int = 0
    held: int = 0
    resumed: int = 0
    withdrawn: int = 0
    swept: int = 0
    signed_off: int = 0
    rejected: int = 0


class Simulation:
    def __init__(self, app: App, town: Town, clock: FixedClock, rng: random.Random) -> None:
        self.app, self.town, self.clock, self.rng = app, town, clock, rng
        self.cal = app.calendar
        self.orders: dict[int, Order] = {}
        self.case_stage: dict[int, str] = {}
        self.held_until: dict[int, date] = {}
        self.stats = Stats()
        self.fast_forward: dict[int, int] = {}  # case -> stages still to pass in the past
        self.forward = FORWARD[town.seed.workflow]
        self.manager = town.leads["office"]
        self.by_login: dict[str, Actor] = {
            a.login: a for team in town.members.values() for a in team}
        self.by_login.update({a.login: a for a in town.leads.values()})

    # ---------------------------------------------------------------- planning
    def _plan(self, view: TicketView, today: date, *, punctual: bool = False) -> None:
        if view.status not in ("open", "in_progress") or view.id in self.orders:
            return
        opened, due = local_date(view.opened_at), local_date(view.due_at)
        allowed = max(1, self.cal.working_days_between(opened, due))
        r = self.rng.random()
        if punctual or r < 0.86:
            close_on = self.cal.add_working_days(
                opened, max(1, round(allowed * self.rng.uniform(0.25, 1.0))))
            close_on = min(close_on, due)
        elif r < 0.96:
            close_on = self.cal.add_working_days(due, self.rng.randint(1, 5))
        elif r < 0.99:
            close_on = self.cal.add_working_days(due, self.rng.randint(6, 12))
        else:
            close_on = None  # stuck: stays on the list
        self.orders[view.id] = Order(view.id, view.case_id, view.team, view.required, due,
                                     max(close_on, today) if close_on else None, view.assignee)

    def catch_up(self, start: date) -> None:
        """After the fast-forwarded past: what was planned for before ``start`` is done
        in the first days (late if its deadline has passed), not all on day one."""
        for order in self.orders.values():
            if order.close_on is not None and order.close_on < start:
                if order.due >= start:
                    span = max(0, self.cal.working_days_between(start, order.due))
                    order.close_on = self.cal.add_working_days(start, self.rng.randint(0, span)) \
                        if span else start
                else:
                    order.close_on = self.cal.add_working_days(start, self.rng.randint(0, 6))

    def adopt_open_orders(self, today: date) -> None:
        for view in tickets.list_tickets(self.app, self.town.admin, scope="all"):
            self._plan(view, today)
        for case_id in self.town.case_ids:
            self.case_stage.setdefault(case_id, "")

    # ---------------------------------------------------------------- a day
    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        when = datetime.combine(day, time(hour, minute), SHANGHAI)
        self.clock.set(when)
        return when

    def _member_of(self, team: str | None) -> Actor | None:
        people = self.town.members.get(team or "", [])
        return self.rng.choice(people) if people else self.town.leads.get(team or "")

    def _call(self, fn, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        """Do one thing through a service; False (and counted) when it was refused."""
        try:
            fn(self.app, *args, **kwargs)
        except CaseflowError:
            self.stats.conflicts += 1
            return False
        return True

    def day(self, today: date, *, full: bool = True,
            only_cases: dict[int, int] | None = None) -> None:
        """One working day; ``full=False`` is the fast-forward of the past: orders are
        closed as planned but only ``only_cases`` move on, and nobody assigns, extends,
        holds or signs off."""
        if full:
            self._morning(today)
        due_today = sorted(
            (o for o in self.orders.values()
             if o.close_on is not None and o.close_on <= today
             and o.case_id not in self.held_until
             ),
            key=lambda o: o.id)
        for i, order in enumerate(due_today):
            self._at(today, 9 + (i * 7) // 60 % 8, (i * 7) % 60)
            self._close(order, today)
        self._at(today, 17, 30)
        self._advance_ready(today, only_cases)
        if full:
            self._holds(today)

    def _morning(self, today: date) -> None:
        self._at(today, 8, 40)
        self._sign_off(today)
        self._at(today, 8, 50)
        for order in sorted(self.orders.values(), key=lambda o: o.id):
            lead = self.town.leads.get(order.team or "")
            if order.assignee is None and lead is not None and self.rng.random() < 0.5:
                member = self._member_of(order.team)
                if member is not None and member.login != lead.login and \
                        self._call(tickets.assign, lead, order.id, member.login):
                    order.assignee = member.login
                    self.stats.assigned += 1
            elif (order.assignee and not order.started and order.close_on
                  and order.close_on > today and self.rng.random() < 0.3):
                actor = self.by_login.get(order.assignee)
                if actor and self._call(tickets.start, actor, order.id):
                    order.started = True
            if order.due < today and self.rng.random() < PUSHED and (
                    order.close_on is None or order.close_on > self.cal.add_working_days(today, 3)):
                # on the clear-to-zero list and being pressed (督办): the team gets it done
                order.close_on = self.cal.add_working_days(today, self.rng.randint(1, 3))
            if (order.close_on and order.close_on > order.due == today and not order.extended
                    and lead is not None and self.rng.random() < 0.25
                    and self._call(tickets.extend, lead, order.id, order.close_on,
                                   self.rng.choice(EXTEND_REASONS))):
                order.extended = True
                self.stats.extended += 1

    def _close(self, order: Order, today: date) -> None:
        actor = self.by_login.get(order.assignee or "") or self._member_of(order.team)
        if actor is None:
            return
        late = today > order.due and not order.extended
        note = self.rng.choice(LATE_NOTES if late else CLOSE_NOTES)
        if self._call(tickets.close, actor, order.id, note):
            if late:
                self.stats.closed_late += 1
            else:
                self.stats.closed_on_time += 1
        self.orders.pop(order.id, None)

    def _advance_ready(self, today: date, only_cases: dict[int, int] | None) -> None:
        blocked = {o.case_id for o in self.orders.values() if o.required}
        for case_id in list(self.case_stage):
            if case_id in blocked or case_id in self.held_until:
                continue
            if only_cases is not None and case_id not in only_cases:
                continue
            self._advance(case_id, today)

    def _advance(self, case_id: int, today: date) -> bool:
        stage = self.case_stage.get(case_id) or cases.show_case(
            self.app, case_id, with_history=False).stage
        triggers = self.forward.get(stage)
        if not triggers:
            self.case_stage.pop(case_id, None)  # done, withdrawn: nothing more to do
            return False
        for trigger in triggers:
            try:
                moved = cases.advance(self.app, self.manager, case_id, trigger,
                                      note="所需工单已办结，进入下一环节", open_orders="cancel")
            except CaseflowError:
                continue
            for cancelled in moved.cancelled:
                self.orders.pop(cancelled, None)
            for view in moved.opened:
                self._plan(view, today)
            self.case_stage[case_id] = moved.case.stage
            self.stats.advanced += 1
            if case_id in self.fast_forward:
                self.fast_forward[case_id] -= 1
                if self.fast_forward[case_id] <= 0:
                    del self.fast_forward[case_id]
            return True
        self.case_stage[case_id] = stage
        return False

    def _holds(self, today: date) -> None:
        for case_id, until in list(self.held_until.items()):
            if until <= today:
                if self._call(cases.resume, self.manager, case_id, "争议已解决，恢复推进"):
                    self.stats.resumed += 1
                del self.held_until[case_id]
        active = [c for c in self.case_stage if c not in self.held_until]
        if active and self.rng.random() < 0.12:
            case_id = self.rng.choice(active)
            if self._call(cases.hold, self.manager, case_id, self.rng.choice(HOLD_REASONS)):
                self.held_until[case_id] = self.cal.add_working_days(
                    today, self.rng.randint(4, 10))
                self.stats.held += 1
        if active and self.rng.random() < 0.02:
            case_id = self.rng.choice(active)
            if self._call(cases.withdraw, self.manager, case_id,
                          "企业主动关停并自行拆除，撤销改造"):
                self.stats.withdrawn += 1
                self.case_stage.pop(case_id, None)
                for oid in [o.id for o in self.orders.values() if o.case_id == case_id]:
                    del self.orders[oid]

    def _sign_off(self, today: date) -> None:
        """Supervisors verify what was closed before today and sign it off (销号)."""
        if not self.town.supervisors:
            return
        for entry in awaiting_signoff(self.app, datetime.combine(today, time(0, 0), SHANGHAI)):
            supervisor = self.rng.choice(self.town.supervisors)
            if self.rng.random() < 0.05:
                try:
                    clearlist.reject(self.app, supervisor, entry.id, "现场复核发现问题未整改到位")
                except CaseflowError:
                    self.stats.conflicts += 1
                    continue
                self.stats.rejected += 1
                self._plan(tickets.show_ticket(self.app, entry.ticket_id), today, punctual=True)
                continue
            if self._call(clearlist.signoff, supervisor, entry.id, self.rng.choice(SIGNOFF_NOTES)):
                self.stats.signed_off += 1

    def evening(self, today: date) -> None:
        """The sweep at the end of every day, weekends too (as the scheduler would)."""
        sweep(self.app, self._at(today, 18, 0))
        self.stats.swept += 1


def awaiting_signoff(app: App, before: datetime) -> list[clearlist.EntryView]:
    """Clear-list entries whose order was closed before ``before``: a supervisor checks
    what was reported done yesterday or earlier, not what was closed an hour ago."""
    listed = clearlist.list_entries(app)
    return sorted((e for e in listed.entries if e.status == "awaiting_signoff"
                   and e.awaiting_since is not None and e.awaiting_since < before),
                  key=lambda e: e.id)


def run(sim: Simulation, start: date, weeks: int) -> None:
    """Simulate ``weeks`` weeks from ``start`` (a day at a time, weekends included)."""
    for offset in range(weeks * 7):
        today = start + timedelta(days=offset)
        if sim.cal.is_workday(today):
            sim.day(today)
        sim.evening(today)
