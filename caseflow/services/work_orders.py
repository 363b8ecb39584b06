"""The one write path of a work order: load it, fire the machine, store row, entry and event.

``tickets`` (start, close, reopen, assign, extend), ``clearlist`` (sign-off, reject)
and the case-level cancel all come through ``change``; the bulk paths (new cases,
the sweep, the demo) write the same ``WorkOrderEvent`` shape many at a time.

Runs on a Core connection or an ORM session alike (both ``execute``), inside the
caller's transaction: the row, its clear-list entry and the audit events are one
commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from caseflow.domain import escalation
from caseflow.domain.work_order import WorkOrder, WorkOrderEvent, fire
from caseflow.errors import NotFound
from caseflow.persistence import tables as t
from caseflow.persistence.transaction import update_versioned
from caseflow.services.app import App
from caseflow.services.permissions import Actor
from caseflow.services.queries import definition_for

T, E, C = t.ticket, t.clear_list_entry, t.enterprise_case
ENTRY_ACTIONS = {  # (entry status before, after) -> the entry event's action
    ("open", "awaiting_signoff"): "entry.awaiting_signoff",
    ("awaiting_signoff", "open"): "entry.open",
    ("awaiting_signoff", "signed_off"): "entry.signed_off",
}


@dataclass
class Loaded:
    """A work order read for a change: its row, its clear-list entry (the live one, or
    the last signed off), its case, and the token the machine moves."""

    row: Any
    entry: Any
    case: Any
    order: WorkOrder


def latest_entry(executor: Any, ticket_id: int) -> Any:
    """The order's live entry (open or awaiting sign-off), else its last signed-off one."""
    return executor.execute(
        sa.select(E).where(E.c.ticket_id == ticket_id)
        .order_by((E.c.status == "signed_off").asc(), E.c.id.desc()).limit(1)).first()


def load(app: App, executor: Any, ticket_id: int) -> Loaded:
    row = executor.execute(sa.select(T).where(T.c.id == ticket_id)).first()
    if row is None:
        raise NotFound("no work order #{id}", hint="see `caseflow ticket list`", id=ticket_id)
    entry = latest_entry(executor, ticket_id)
    case = executor.execute(sa.select(C.c.id, C.c.status, C.c.project_id, C.c.stage,
                                      C.c.workflow_version_id)
                            .where(C.c.id == row.case_id)).one()
    order = WorkOrder.of(row, entry.status if entry is not None else None, case.status)
    order.display_tz = app.settings.display_tz
    return Loaded(row, entry, case, order)


def record(executor: Any, event: WorkOrderEvent, project_id: int | None,
           action: str | None = None, entry_id: int | None = None,
           actor: Actor | None = None) -> None:
    """One audit event of the one shape (``entry.*`` actions are about the order's entry);
    ``actor`` adds how they came (token, address) when they came through the server."""
    values = event.audit_row(project_id) | (actor.came if actor is not None else {})
    if action is not None:
        values["action"] = action
    if action is not None and action.startswith("entry."):
        values["entity"], values["entry_id"] = "entry", entry_id or event.entry_id
    executor.execute(t.audit_event.insert().values(**values))


def change(app: App, executor: Any, actor: Actor, loaded: Loaded, trigger: str, *,
           note: str | None = None, extra: Mapping[str, Any] | None = None,
           entry_action: str | None = None, **params: Any) -> WorkOrderEvent:
    """Fire ``trigger`` and store what it did: the row (version-checked), the entry's move
    and the events, all in the caller's transaction."""
    now = app.clock.now()
    order, entry = loaded.order, loaded.entry
    event = fire(order, trigger, doer=actor, at=now, note=note, extra=extra,
                 entry_id=entry.id if entry is not None and entry.status != "signed_off"
                 else None, **params)
    if order.changes:
        update_versioned(executor, T, loaded.row, **order.changes)
    record(executor, event, loaded.case.project_id, actor=actor)
    before, after = event.before, event.after
    assert before is not None
    if entry is not None and before.entry_status != after.entry_status \
            and after.entry_status is not None:
        _move_entry(executor, entry, after.entry_status, now, actor, note)
        action = entry_action or ENTRY_ACTIONS[(before.entry_status or "", after.entry_status)]
        record(executor, event, loaded.case.project_id, action=action, entry_id=entry.id,
               actor=actor)
    if after.entry_status is None and before.entry_status == "signed_off":
        event = relist(app, executor, actor, loaded, note) or event
    return event


def _move_entry(executor: Any, entry: Any, status: str, now: datetime, actor: Actor,
                note: str | None) -> None:
    values: dict[str, Any] = {"status": status}
    if status == "awaiting_signoff":
        values["awaiting_since"] = now
    elif status == "open":
        values["awaiting_since"] = None
    elif status == "signed_off":
        values |= {"signed_off_at": now, "signed_off_by": actor.login, "note": note,
                   "next_level_at": None}
    update_versioned(executor, E, entry, **values)


def relist(app: App, executor: Any, actor: Actor, loaded: Loaded,
           note: str | None) -> WorkOrderEvent | None:
    """A reopened order whose entry was signed off and which is overdue now goes back on
    the clear-to-zero list as a new entry (the signed-off one stays as history), at the
    level its lateness has reached; the sweep raises it from there."""
    order, now = loaded.order, app.clock.now()
    if order.status not in ("open", "in_progress") or order.due_at > now \
            or loaded.case.status != "active":
        return None
    definition = definition_for(app, executor, loaded.case.workflow_version_id)
    standing = escalation.standing(definition, app.calendar, order.due_at, now)
    if standing.level < 1:
        return None
    level = max(standing.level, loaded.entry.level if loaded.entry is not None else 0)
    entry_id = executor.execute(E.insert().values(
        ticket_id=order.id, team_id=order.team_id, level=level, status="open", entered_at=now,
        level_raised_at=now, next_level_at=standing.next_level_at, version=1,
    ).returning(E.c.id)).scalar_one()
    event = fire(order, "escalate", doer=actor, at=now, note=note, level=level,
                 entry_status="open", action="entry.enter", entry_id=entry_id)
    if order.changes:
        executor.execute(T.update().where(T.c.id == order.id).values(**order.changes))
    record(executor, event, loaded.case.project_id, action="entry.enter", entry_id=entry_id)
    return event
