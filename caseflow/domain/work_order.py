"""A work order's (工单) life: one status machine, one event shape.

Every change of a work order's status, assignee, deadline or level — by a person
in a terminal, a supervisor signing its clear-list entry off, a case leaving the
order's stage, the sweep raising its level — goes through ``WorkOrderMachine.fire``
(one order) or the same machine on each order of a batch, and comes out as a
``WorkOrderEvent`` whose ``before`` and ``after`` are complete ``Snapshot``s. The
audit log stores exactly that, so the weekly report can rebuild any order as it
stood at any past instant from the first event after it, and a finished week's
figures never change.

Statuses and triggers (``transitions`` does the moving; its conditions are the
guards and raise the reason when they fail)::

    open ──start──▶ in_progress ──close──▶ closed ──reopen / reject──▶ open
      └──────────────close──────────────────▲  │
    open, in_progress ──cancel──▶ cancelled      └─sign_off (entry only)
    open, in_progress: assign, extend, escalate (status unchanged)

Who may fire what:

- start, close: whoever may work on the order (``may_work_on``);
- reopen: whoever may work on it, or a supervisor; never on a finished case;
- assign, extend: the lead of the order's team (or an admin); a member may take an
  unassigned order of their team (``assign`` to themselves);
- cancel: the case's manager, through the case (its stage left, the case withdrawn);
- sign_off, reject: a supervisor or an admin (the clear-to-zero list's 销号);
- escalate: the scheduler (the sweep).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from caseflow.errors import InvalidInput, PermissionDenied, Refused
from caseflow.i18n import NP_, Text, ptext, text

OPEN_STATUSES = ("open", "in_progress")
STATUSES = ("open", "in_progress", "closed", "cancelled")
ENTRY_LEFT = ("open", "awaiting_signoff")  # an entry still on the list
SYSTEM = "system"

# the snapshot's keys, in the order the sweep's SQL writes them
SNAPSHOT_KEYS = ("status", "assignee_id", "due_at", "level", "entry_status", "version")


class Doer(Protocol):
    """Who fires a trigger: the acting user (``services.permissions.Actor``)."""

    @property
    def id(self) -> int | None: ...
    @property
    def login(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def team_id(self) -> int | None: ...


def may_work_on(doer: Doer, team_id: int | None, assignee_id: int | None) -> bool:
    """Members act on orders assigned to them or on unassigned orders of their team;
    leads on any order of their team (and those assigned to them); admins on all."""
    if doer.role == "admin":
        return True
    if doer.role == "lead":
        return (team_id is not None and team_id == doer.team_id) or assignee_id == doer.id
    if doer.role == "member":
        if assignee_id is not None:
            return assignee_id == doer.id
        return team_id is not None and team_id == doer.team_id
    return False


def leads(doer: Doer, team_id: int | None) -> bool:
    """The lead of the order's team, or an admin."""
    return doer.role == "admin" or (
        doer.role == "lead" and team_id is not None and team_id == doer.team_id)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Snapshot:
    """A work order as it stands: what every report may need to know of it at an instant."""

    status: str
    assignee_id: int | None
    due_at: datetime
    level: int
    entry_status: str | None  # its live clear-list entry's status; None when not on the list
    version: int

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "assignee_id": self.assignee_id,
                "due_at": self.due_at.isoformat(), "level": self.level,
                "entry_status": self.entry_status, "version": self.version}


@dataclass(frozen=True)
class WorkOrderEvent:
    """One change of one work order, as the audit log stores it (``ticket.*``)."""

    action: str
    ticket_id: int
    case_id: int
    team_id: int | None
    actor: str
    at: datetime
    before: Snapshot | None  # None when the order is opened
    after: Snapshot
    note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. on_time, title, assignee
    entry_id: int | None = None

    def audit_row(self, project_id: int | None) -> dict[str, Any]:
        """The ``audit_event`` row: ``before``/``after`` are the snapshots, ``after``
        carrying the event's extra facts too."""
        return {
            "at": self.at, "actor": self.actor, "action": self.action, "entity": "ticket",
            "case_id": self.case_id, "ticket_id": self.ticket_id, "entry_id": self.entry_id,
            "team_id": self.team_id, "project_id": project_id,
            "before": self.before.as_json() if self.before is not None else None,
            "after": self.after.as_json() | dict(self.extra), "note": self.note,
        }


@dataclass
class WorkOrder:
    """The token the machine moves: one order's row (and its live entry's status).

    ``changes`` collects the ticket columns a trigger sets, ``entry_status`` the entry
    move; the service writes both, version-checked, with the event."""

    id: int
    case_id: int
    team_id: int | None
    status: str
    assignee_id: int | None
    due_at: datetime
    level: int
    version: int
    entry_status: str | None = None
    entry_id: int | None = None  # the entry a sign-off or rejection is about
    case_status: str = "active"
    closed_at: datetime | None = None
    closed_by: str | None = None
    display_tz: str = "Asia/Shanghai"  # for the time in "already closed (by … at …)"
    changes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Any, entry_status: str | None = None, case_status: str = "active"
           ) -> WorkOrder:
        """From a ticket row (Core row or ORM object)."""
        return cls(id=row.id, case_id=row.case_id, team_id=row.team_id, status=row.status,
                   assignee_id=row.assignee_id, due_at=row.due_at, level=row.level or 0,
                   version=row.version, entry_status=entry_status, case_status=case_status,
                   closed_at=getattr(row, "closed_at", None),
                   closed_by=getattr(row, "closed_by", None))

    def snapshot(self) -> Snapshot:
        return Snapshot(self.status, self.assignee_id, self.due_at, self.level,
                        self.entry_status, self.version)


def opened(*, ticket_id: int, case_id: int, team_id: int | None, assignee_id: int | None,
           due_at: datetime, actor: str, at: datetime, note: str | None = None,
           extra: Mapping[str, Any] | None = None) -> WorkOrderEvent:
    """The event of a new order (one by one or in bulk): it starts ``open``, version 1."""
    return WorkOrderEvent(
        action="ticket.open", ticket_id=ticket_id, case_id=case_id, team_id=team_id,
        actor=actor, at=at, before=None,
        after=Snapshot("open", assignee_id, due_at, 0, None, 1), note=note,
        extra=dict(extra or {}))


# --------------------------------------------------------------------------- the machine


# the words a refusal shows for a status (the keys are stored, never shown)
_STATUS_WORDS = {
    "open": NP_("ticket status", "open"), "in_progress": NP_("ticket status", "in progress"),
    "closed": NP_("ticket status", "closed"), "cancelled": NP_("ticket status", "cancelled"),
}
_ENTRY_WORDS = {
    "open": NP_("entry status", "open"),
    "awaiting_signoff": NP_("entry status", "awaiting sign-off"),
    "signed_off": NP_("entry status", "signed off"),
}


def _describe(status: str) -> Text:
    return ptext("ticket status", _STATUS_WORDS.get(status, status))


def _entry_refusal(order: WorkOrder, trigger: str) -> Refused:
    state = ptext("entry status", _ENTRY_WORDS[order.entry_status]) \
        if order.entry_status in _ENTRY_WORDS else text("off the list")
    hint = "close its work order first" if order.entry_status == "open" \
        else "it is already off the list"
    if trigger == "sign_off":
        return Refused("clear-list entry #{id} is {state}; only an entry awaiting sign-off "
                       "can be signed off", hint=hint, id=order.entry_id, state=state)
    return Refused("clear-list entry #{id} is {state}; only an entry awaiting sign-off "
                   "can be rejected", hint=hint, id=order.entry_id, state=state)


_DOING = {"start": text("start"), "close": text("close"), "reopen": text("reopen"),
          "reject": text("reject"), "sign_off": text("sign off"), "assign": text("assign"),
          "extend": text("extend"), "cancel": text("cancel"), "escalate": text("escalate")}


class WorkOrderMachine:
    """One model-less ``transitions`` machine for every order of the process (a
    ``Machine`` per order would cost most of a millisecond); ``fire`` runs one
    trigger on a ``WorkOrder`` token under a lock."""

    def __init__(self) -> None:
        # imported here: `ticket list` and the other reads never pay for it
        from transitions import Machine

        self._lock = threading.Lock()
        live = list(OPEN_STATUSES)
        g = self
        spec: list[dict[str, Any]] = [
            {"trigger": "start", "source": "open", "dest": "in_progress",
             "conditions": [g._worker], "after": [g._started]},
            {"trigger": "close", "source": live, "dest": "closed",
             "conditions": [g._worker], "after": [g._closed]},
            {"trigger": "reopen", "source": "closed", "dest": "open",
             "conditions": [g._worker_or_supervisor, g._case_live], "after": [g._reopened]},
            {"trigger": "reject", "source": "closed", "dest": "open",
             "conditions": [g._supervisor, g._entry_awaiting, g._case_live],
             "after": [g._reopened]},
            {"trigger": "sign_off", "source": ["closed", "cancelled"], "dest": None,
             "conditions": [g._supervisor, g._entry_awaiting], "after": [g._signed_off]},
            {"trigger": "cancel", "source": live, "dest": "cancelled",
             "after": [g._cancelled]},
            {"trigger": "assign", "source": live, "dest": None,
             "conditions": [g._may_assign], "after": [g._assigned]},
            {"trigger": "extend", "source": live, "dest": None,
             "conditions": [g._lead, g._later], "after": [g._extended]},
            {"trigger": "escalate", "source": live, "dest": None, "after": [g._escalated]},
        ]
        self.machine = Machine(model=None, states=list(STATUSES), transitions=spec,
                               initial="open", auto_transitions=False, send_event=True,
                               model_attribute="status")

    def triggers(self, status: str) -> list[str]:
        return self.machine.get_triggers(status)

    def fire(self, order: WorkOrder, trigger: str, *, doer: Doer, at: datetime,
             note: str | None = None, extra: Mapping[str, Any] | None = None,
             action: str | None = None, entry_id: int | None = None,
             **params: Any) -> WorkOrderEvent:
        """Apply ``trigger`` to ``order`` (or raise ``Refused``/``PermissionDenied``
        leaving it as it was) and return the event with both snapshots."""
        from transitions import MachineError

        before = order.snapshot()
        order.changes = {}
        with self._lock:
            try:
                moved = self.machine.events[trigger].trigger(
                    order, doer=doer, at=at, note=note, **params)
            except MachineError:
                raise self._wrong_status(order, trigger) from None
        if not moved:  # pragma: no cover - every condition raises its reason
            raise Refused("work order #{id} cannot be changed now", id=order.id)
        if order.status != before.status:
            order.changes["status"] = order.status
        if set(order.changes) - {"level"}:  # the sweep's level is not a user's edit
            order.version = before.version + 1
        return WorkOrderEvent(
            action=action or f"ticket.{trigger}", ticket_id=order.id, case_id=order.case_id,
            team_id=order.team_id, actor=doer.login, at=at, before=before,
            after=order.snapshot(), note=note, extra=dict(extra or {}), entry_id=entry_id)

    # -- refusals ------------------------------------------------------------------

    @staticmethod
    def _wrong_status(order: WorkOrder, trigger: str) -> Refused:
        oid, status = order.id, _describe(order.status)
        if trigger == "close" and order.status == "cancelled":
            return Refused("work order #{id} was cancelled; there is nothing to close", id=oid)
        if trigger == "close":
            when = "?"
            if order.closed_at is not None:
                local = order.closed_at.astimezone(ZoneInfo(order.display_tz))
                when = local.strftime("%Y-%m-%d %H:%M")
            return Refused("work order #{id} is already closed (by {login} at {when})",
                           id=oid, login=order.closed_by, when=when)
        if trigger == "start":
            return Refused("work order #{id} is {status}; only an open order can be started",
                           id=oid, status=status)
        if trigger in ("sign_off", "reject") and order.entry_id is not None:
            return _entry_refusal(order, trigger)
        if trigger in ("reopen", "reject"):
            return Refused("work order #{id} is {status}; only a closed order can be reopened",
                           id=oid, status=status)
        if trigger == "extend":
            return Refused("work order #{id} is {status}; nothing to extend", id=oid,
                           status=status)
        if trigger == "assign":
            return Refused("work order #{id} is {status}; reopen it first", id=oid,
                           status=status)
        if trigger == "sign_off":
            return Refused("work order #{id} is {status}; close it first", id=oid,
                           status=status)
        return Refused("work order #{id} is {status}; it cannot be changed that way", id=oid,
                       status=status)

    # -- conditions (guards): True, or raise the reason -----------------------------

    @staticmethod
    def _worker(event: Any) -> bool:
        order: WorkOrder = event.model
        doer: Doer = event.kwargs["doer"]
        if may_work_on(doer, order.team_id, order.assignee_id):
            return True
        doing = _DOING[event.event.name]
        if doer.role == "supervisor":
            reason = text("supervisors review and sign off; they do not work orders")
        elif doer.role == "member":
            reason = text("members act on orders assigned to them or unassigned orders of "
                          "their team")
        else:
            reason = text("leads act on their own team's orders")
        raise PermissionDenied("{login} may not {doing} work order #{id}: {reason}",
                               login=doer.login, doing=doing, id=order.id, reason=reason)

    @classmethod
    def _worker_or_supervisor(cls, event: Any) -> bool:
        return event.kwargs["doer"].role == "supervisor" or cls._worker(event)

    @staticmethod
    def _supervisor(event: Any) -> bool:
        doer: Doer = event.kwargs["doer"]
        if doer.role in ("supervisor", "admin"):
            return True
        doing = text("sign clear-list entries off") if event.event.name == "sign_off" \
            else text("reject clear-list entries")
        raise PermissionDenied("{login} ({role}) may not {doing}: needs supervisor or admin",
                               login=doer.login, role=doer.role, doing=doing)

    @staticmethod
    def _entry_awaiting(event: Any) -> bool:
        order: WorkOrder = event.model
        if order.entry_status == "awaiting_signoff":
            return True
        if order.entry_id is not None:
            raise _entry_refusal(order, event.event.name)
        raise Refused("work order #{id} has no clear-list entry awaiting sign-off", id=order.id)

    @staticmethod
    def _case_live(event: Any) -> bool:
        order: WorkOrder = event.model
        if order.case_status not in ("withdrawn", "done"):
            return True
        raise Refused("case #{id} is {status}; its orders cannot be reopened",
                      id=order.case_id, status=order.case_status)

    @staticmethod
    def _lead(event: Any) -> bool:
        order: WorkOrder = event.model
        doer: Doer = event.kwargs["doer"]
        if leads(doer, order.team_id):
            return True
        raise PermissionDenied("{login} may not {doing} work order #{id}: only its team's "
                               "lead or an admin", login=doer.login,
                               doing=_DOING[event.event.name], id=order.id)

    @classmethod
    def _may_assign(cls, event: Any) -> bool:
        order: WorkOrder = event.model
        doer: Doer = event.kwargs["doer"]
        to: int = event.kwargs["assignee_id"]
        taking = to == doer.id and order.assignee_id is None and \
            may_work_on(doer, order.team_id, order.assignee_id)
        if not taking:
            cls._lead(event)
        if to == order.assignee_id:
            raise Refused("work order #{id} is already assigned to {login}", id=order.id,
                          login=event.kwargs.get("login", to))
        return True

    @staticmethod
    def _later(event: Any) -> bool:
        order: WorkOrder = event.model
        due: datetime = event.kwargs["due_at"]
        if due > order.due_at:
            return True
        raise InvalidInput("{day} is not later than the current deadline; an extension "
                           "moves the deadline later", day=event.kwargs.get("day", due))

    # -- callbacks: the columns each move sets ----------------------------------------

    @staticmethod
    def _take_if_unassigned(order: WorkOrder, doer: Doer) -> None:
        if order.assignee_id is None and doer.id is not None:
            order.assignee_id = order.changes["assignee_id"] = doer.id

    @classmethod
    def _started(cls, event: Any) -> None:
        order: WorkOrder = event.model
        order.changes["started_at"] = event.kwargs["at"]
        cls._take_if_unassigned(order, event.kwargs["doer"])

    @classmethod
    def _closed(cls, event: Any) -> None:
        order: WorkOrder = event.model
        doer: Doer = event.kwargs["doer"]
        order.closed_at, order.closed_by = event.kwargs["at"], doer.login
        order.changes |= {"closed_at": order.closed_at, "closed_by": doer.login,
                          "close_note": event.kwargs["note"]}
        cls._take_if_unassigned(order, doer)
        if order.entry_status == "open":
            order.entry_status = "awaiting_signoff"

    @staticmethod
    def _reopened(event: Any) -> None:
        order: WorkOrder = event.model
        order.closed_at = order.closed_by = None
        order.changes |= {"closed_at": None, "closed_by": None}
        if order.entry_status == "awaiting_signoff":
            order.entry_status = "open"
        elif order.entry_status == "signed_off":
            order.entry_status = None  # off the list until it is listed again

    @staticmethod
    def _signed_off(event: Any) -> None:
        event.model.entry_status = "signed_off"

    @staticmethod
    def _cancelled(event: Any) -> None:
        order: WorkOrder = event.model
        order.closed_at, order.closed_by = event.kwargs["at"], event.kwargs["doer"].login
        order.changes |= {"closed_at": order.closed_at, "closed_by": order.closed_by}

    @staticmethod
    def _assigned(event: Any) -> None:
        order: WorkOrder = event.model
        order.assignee_id = order.changes["assignee_id"] = event.kwargs["assignee_id"]

    @staticmethod
    def _extended(event: Any) -> None:
        order: WorkOrder = event.model
        order.due_at = order.changes["due_at"] = event.kwargs["due_at"]

    @staticmethod
    def _escalated(event: Any) -> None:
        order: WorkOrder = event.model
        order.level = order.changes["level"] = event.kwargs["level"]
        if "entry_status" in event.kwargs:  # listed (again) as it rises
            order.entry_status = event.kwargs["entry_status"]


_machine: WorkOrderMachine | None = None
_machine_lock = threading.Lock()


def machine() -> WorkOrderMachine:
    """The process's one work-order machine, built on first use."""
    global _machine
    with _machine_lock:
        if _machine is None:
            _machine = WorkOrderMachine()
        return _machine


def fire(order: WorkOrder, trigger: str, **kwargs: Any) -> WorkOrderEvent:
    """``machine().fire``: the one way a work order changes."""
    return machine().fire(order, trigger, **kwargs)


__all__ = ["ENTRY_LEFT", "OPEN_STATUSES", "SNAPSHOT_KEYS", "STATUSES", "Doer", "Snapshot",
           "WorkOrder", "WorkOrderEvent", "WorkOrderMachine", "fire", "leads", "machine",
           "may_work_on", "opened"]
