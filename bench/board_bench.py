"""How long the phone board's pages take to serve on a given database (issue 13:
every page ≤ 100 ms at the city data set).

``measure(db_url)`` signs a busy member and a supervisor in and requests each page
through the server's own ASGI app in this process (no network: the figure is the
server's time to answer), ``REPEAT`` times, and reports the median and the worst in
milliseconds. The clock is set to the newest audit event, as the reports' bench does.

    python -m bench.board_bench sqlite:///bench/data/city.db
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import sqlalchemy as sa

REPEAT = 7
PASSWORD = "bench-board-2026"


def _pick(app: Any) -> tuple[str, str, str, int, int]:
    from caseflow.persistence import tables as t

    with app.engine.connect() as conn:
        admin = conn.execute(sa.select(t.app_user.c.login)
                             .where(t.app_user.c.role == "admin")).scalar()
        supervisor = conn.execute(sa.select(t.app_user.c.login)
                                  .where(t.app_user.c.role == "supervisor")).scalar()
        busiest = conn.execute(
            sa.select(t.ticket.c.assignee_id, sa.func.count().label("n"))
            .where(t.ticket.c.status.in_(("open", "in_progress")),
                   t.ticket.c.assignee_id.is_not(None))
            .group_by(t.ticket.c.assignee_id).order_by(sa.text("n DESC")).limit(1)).first()
        member = conn.execute(sa.select(t.app_user.c.login)
                              .where(t.app_user.c.id == busiest.assignee_id)).scalar()
        order = conn.execute(sa.select(sa.func.max(t.ticket.c.id))
                             .where(t.ticket.c.assignee_id == busiest.assignee_id)).scalar()
        entry = conn.execute(sa.select(sa.func.max(t.clear_list_entry.c.id))).scalar() or 1
    return admin, supervisor, member, order, entry


def measure(db_url: str) -> dict[str, Any]:
    from caseflow.adapters.server import create_app
    from fastapi.testclient import TestClient

    from caseflow.clock import FixedClock
    from caseflow.persistence import tables as t
    from caseflow.services import accounts
    from caseflow.services.app import App
    from caseflow.services.directory import resolve_actor

    app = App.from_settings(database_url=db_url)
    with app.engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(t.audit_event.c.at))).scalar()
    app.clock = FixedClock(newest)
    admin, supervisor, member, order, entry = _pick(app)
    for login in (supervisor, member):
        accounts.set_password(app, resolve_actor(app, admin), login, PASSWORD)
    pages = {
        "member_home": (member, "/"),
        "ticket": (member, f"/tickets/{order}"),
        "clearlist": (supervisor, "/clearlist"),
        "clearlist_team": (supervisor, "/clearlist?level=1"),
        "confirm_signoff": (supervisor, f"/clearlist/{entry}/signoff"),
        "print": (supervisor, "/clearlist/print"),
        "ranking": (supervisor, "/ranking"),
        "progress": (supervisor, "/progress"),
        "burndown_svg": (supervisor, "/progress/burndown.svg"),
    }
    results: dict[str, Any] = {}
    server = create_app(app)
    clients: dict[str, TestClient] = {}
    try:
        for login in (supervisor, member):
            client = clients[login] = TestClient(server, follow_redirects=False)
            form = client.get("/sign-in").text
            csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            signed = client.post("/sign-in", data={"login": login, "password": PASSWORD,
                                                   "csrf": csrf})
            assert signed.status_code == 303, signed.text[:200]
        for name, (login, path) in pages.items():
            times = []
            for _ in range(REPEAT):
                began = time.perf_counter()
                response = clients[login].get(path)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            results[name] = {"median_ms": round(statistics.median(times), 1),
                             "first_ms": round(times[0], 1), "max_ms": round(max(times), 1)}
    finally:
        for client in clients.values():
            client.close()
        app.engine.dispose()
    results["worst_median_ms"] = max(r["median_ms"] for r in results.values()
                                     if isinstance(r, dict))
    return results


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1]), indent=2))


# --------------------------------------------------------------------------- make bench

def _register() -> None:
    from bench.harness import Context, Row, register

    @register("board", order=40)
    def board_rows(ctx: Context) -> list[Row]:
        """Each page's median (the server's own time, in process), issue 13's 100 ms."""
        found = measure(ctx.copy("board"))  # signs people in: writes passwords
        return [Row(f"board_{name}", f"board page {name} (server, in-process)",
                    samples=[timing["median_ms"] / 1000], target_s=0.1, kind="web",
                    issue=13, note=f"first {timing['first_ms']:.0f} ms, "
                                   f"max {timing['max_ms']:.0f} ms, {REPEAT} requests")
                for name, timing in found.items() if isinstance(timing, dict)]


_register()
