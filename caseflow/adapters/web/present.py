"""How values read on a page: dates in the town's time, deadlines in working days,
statuses and history in words. Nothing here decides anything; it only says it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from caseflow import i18n
from caseflow.adapters.web.i18n import Words


class Present:
    """Formatting bound to one request's language, time zone, clock and calendar."""

    def __init__(self, words: Words, tz: ZoneInfo, now: datetime, calendar: Any) -> None:
        self.w = words
        self.tz = tz
        self.now = now
        self.calendar = calendar
        self.today = now.astimezone(tz).date()

    # ------------------------------------------------------------------ time
    def day(self, value: datetime | date | None) -> str:
        if value is None:
            return ""
        day = value.astimezone(self.tz).date() if isinstance(value, datetime) else value
        locale = "zh_CN" if self.w.zh else "en"
        skeleton = "yMMMEd" if day.year != self.today.year else "MMMEd"
        return format_skeleton(skeleton, day, locale=locale)

    def when(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self.tz)
        return f"{self.day(local)} {local:%H:%M}"

    def overdue_days(self, due_at: datetime) -> int:
        """Working days past the due day (0: due today or not yet due)."""
        if due_at >= self.now:
            return 0
        due_day = due_at.astimezone(self.tz).date()
        return max(self.calendar.working_days_between(due_day, self.today), 0)

    def due(self, due_at: datetime, is_open: bool = True) -> tuple[str, str]:
        """("逾期 3 个工作日", "overdue") / ("今天到期", "soon") / ("还有 5 个工作日", "")."""
        w = self.w
        if not is_open:
            return self.day(due_at), ""
        due_day = due_at.astimezone(self.tz).date()
        if due_at < self.now:
            days = self.overdue_days(due_at)
            if days <= 0:
                return w._("overdue today"), "overdue"
            return i18n.ngettext("overdue %(n)d working day", "overdue %(n)d working days",
                                 days, w.lang) % {"n": days}, "overdue"
        days = self.calendar.working_days_between(self.today, due_day)
        if days <= 0:
            return w._("due today"), "soon"
        text = i18n.ngettext("due in %(n)d working day", "due in %(n)d working days",
                             days, w.lang) % {"n": days}
        return text, "soon" if days <= 1 else ""

    # ------------------------------------------------------------------ words
    def status(self, status: str) -> str:
        w = self.w
        return {
            "open": i18n.pgettext("order", "to do", w.lang),
            "in_progress": i18n.pgettext("order", "in progress", w.lang),
            "closed": i18n.pgettext("order", "closed", w.lang),
            "cancelled": i18n.pgettext("order", "cancelled", w.lang),
        }.get(status, status)

    def entry_status(self, status: str) -> str:
        w = self.w
        return {
            "open": i18n.pgettext("entry", "not done", w.lang),
            "awaiting_signoff": i18n.pgettext("entry", "awaiting sign-off", w.lang),
            "signed_off": i18n.pgettext("entry", "signed off", w.lang),
        }.get(status, status)

    def role(self, role: str) -> str:
        w = self.w
        return {"member": w._("task-force member"), "lead": w._("team lead"),
                "supervisor": w._("supervisor"), "admin": w._("administrator")}.get(role, role)

    def level(self, level: int) -> str:
        w = self.w
        return {1: w._("overdue"), 2: w._("supervised"), 3: w._("listed for supervision")
                }.get(level, w._("level {n}").format(n=level))

    def size(self, n: int) -> str:
        return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"

    def event(self, event: Any) -> str:
        """One line of a work order's history, in words."""
        w = self.w
        after = event.after or {}
        action = event.action
        if action == "ticket.open":
            return w._("opened the work order")
        if action == "ticket.start":
            return w._("started work")
        if action == "ticket.close":
            late = after.get("on_time") is False
            return w._("closed it (late)") if late else w._("closed it")
        if action == "ticket.reopen":
            return w._("reopened it")
        if action == "ticket.assign":
            return w._("assigned it to {login}").format(login=after.get("assignee") or "?")
        if action == "ticket.extend":
            due = after.get("due_at")
            shown = self.day(datetime.fromisoformat(due)) if isinstance(due, str) else "?"
            return w._("extended the deadline to {day}").format(day=shown)
        if action == "ticket.comment":
            return w._("commented")
        if action == "ticket.cancel":
            return w._("cancelled it")
        if action == "ticket.evidence":
            return w._("attached evidence: {file}").format(file=after.get("filename", ""))
        if action == "entry.enter":
            return w._("put on the clear-to-zero list (overdue)")
        if action == "entry.level":
            return w._("raised to {level}").format(level=self.level(int(after.get("level", 0))))
        if action == "entry.awaiting_signoff":
            return w._("awaiting a supervisor's sign-off")
        if action == "entry.signed_off":
            return w._("signed it off")
        if action == "entry.rejected":
            return w._("rejected the closure and sent it back")
        if action == "entry.open":
            return w._("back on the list")
        return action
