"""A person's open work orders are read through the partial index, not a scan."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from caseflow.services import cases, tickets
from caseflow.services.app import App
from caseflow.services.cases import NewCase


def test_my_open_orders_use_the_partial_index(app: App, town: Any) -> None:
    cases.add_case(app, town.lead, "SW01", NewCase(name="甲厂", team="negotiation"))
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM ticket" in statement:
            seen.append((statement, params))

    event.listen(app.engine, "before_cursor_execute", capture)
    try:
        tickets.list_tickets(app, town.member, scope="mine")
    finally:
        event.remove(app.engine, "before_cursor_execute", capture)
    statement, params = seen[-1]
    # the condition of the partial indexes, literally (SQLite's planner needs that)
    assert "IN ('open', 'in_progress')" in statement
    if app.engine.dialect.name != "sqlite":
        return
    with app.engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", params).fetchall())
    assert "ix_ticket_assignee_open" in plan, plan
