"""Whole ``caseflow`` processes on the city data set, each beside its floor.

Every command runs as its own process, as a person (or the scheduler) runs it, and is
interleaved round by round with its floor: a ``python`` + ``sqlite3`` process running
the same query (the rows the command reads) and printing them. The ratio of the two
medians is what caseflow costs over the least any program could do; the targets are
issue 16's.

Commands that write (``ticket close``, ``sweep``) run on copies of the data set, the
floor of ``ticket close`` writes the same UPDATE and audit INSERT on its own copy.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import (
    Context,
    Row,
    caseflow_argv,
    cpus,
    floor_argv,
    register,
    walls,
)

# Chinese, a wide pipe, and the clock at the data set's own moment (Monday 2 March 2026,
# 09:00 Shanghai), so deadlines, weeks and the clear list read as the city's do.
LANG = {"CASEFLOW_LANG": "zh_CN", "COLUMNS": "120",
        "CASEFLOW_FAKE_NOW": "2026-03-02T09:00+08:00"}

MINE_SQL = """
SELECT t.id, t.title, t.title_zh, t.status, t.due_at, c.id, c.name, tm.code, u.login
FROM ticket t JOIN enterprise_case c ON c.id = t.case_id
LEFT JOIN team tm ON tm.id = t.team_id JOIN app_user u ON u.id = t.assignee_id
WHERE u.login = ? AND t.status IN ('open', 'in_progress') ORDER BY t.due_at, t.id"""

TICKET_SQL = """
SELECT t.*, c.name, (SELECT group_concat(e.action || e.at || coalesce(e.note, ''), ';')
                     FROM audit_event e WHERE e.ticket_id = t.id)
FROM ticket t JOIN enterprise_case c ON c.id = t.case_id WHERE t.id = ?"""

CASE_SQL = """
SELECT c.*, p.code, p.town,
  (SELECT group_concat(t.id || t.title || t.status || t.due_at, ';') FROM ticket t
   WHERE t.case_id = c.id),
  (SELECT group_concat(e.action || e.at, ';') FROM audit_event e WHERE e.case_id = c.id)
FROM enterprise_case c JOIN project p ON p.id = c.project_id WHERE c.id = ?"""

CLEAR_SELECT = """
SELECT e.id, e.ticket_id, e.level, e.status, e.entered_at, t.case_id, c.name, p.code, p.town,
  tm.code, t.title, t.title_zh, u.login, t.status, t.due_at, e.next_level_at
FROM clear_list_entry e JOIN ticket t ON t.id = e.ticket_id
JOIN enterprise_case c ON c.id = t.case_id JOIN project p ON p.id = c.project_id
LEFT JOIN team tm ON tm.id = e.team_id LEFT JOIN app_user u ON u.id = t.assignee_id
WHERE e.status != 'signed_off' ORDER BY e.level DESC, e.entered_at, e.id"""

CLEAR_PAGE_SQL = f"""
SELECT (SELECT count(*) FROM clear_list_entry WHERE status != 'signed_off'), x.*
FROM ({CLEAR_SELECT} LIMIT 100) x"""

PROGRESS_SQL = """
SELECT p.town, c.stage, count(*), sum(c.area_mu) FROM enterprise_case c
JOIN project p ON p.id = c.project_id GROUP BY p.town, c.stage"""

WEEKLY_SQL = """
SELECT e.action, e.actor, count(*) FROM audit_event e
WHERE e.action IN ('ticket.close', 'ticket.open', 'entry.signed_off')
  AND e.at >= ? AND e.at < ? GROUP BY e.action, e.actor"""

BURNDOWN_SQL = """
SELECT date(t.opened_at), date(t.closed_at), count(*) FROM ticket t
WHERE t.opened_at < ? AND (t.closed_at IS NULL OR t.closed_at >= ?)
GROUP BY 1, 2"""

SWEEP_FLOOR_SQL = """
SELECT t.id, t.due_at FROM ticket t
WHERE t.status IN ('open', 'in_progress') AND t.due_at > ? AND t.due_at <= ?
  AND NOT EXISTS (SELECT 1 FROM clear_list_entry e WHERE e.ticket_id = t.id)"""

CLOSE_FLOOR = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
tid = int(sys.argv[2])
v = conn.execute("SELECT version FROM ticket WHERE id = ?", (tid,)).fetchone()[0]
conn.execute("UPDATE ticket SET status='closed', closed_at=?, closed_by='bench', "
             "close_note='bench', version=? WHERE id=? AND version=?",
             ("2026-03-02 01:00:00.000000", v + 1, tid, v))
conn.execute("INSERT INTO audit_event (at, actor, action, entity, case_id, ticket_id, note) "
             "SELECT ?, 'bench', 'ticket.close', 'ticket', case_id, id, 'bench' "
             "FROM ticket WHERE id = ?", ("2026-03-02 01:00:00.000000", tid))
conn.execute("COMMIT")
print(tid)
"""


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class City:
    """Facts about the data set the rows need: who to act as, which ids to use."""

    def __init__(self, path: Path) -> None:
        with sqlite3.connect(path) as conn:
            q = conn.execute
            self.member, self.member_open = q(
                "SELECT u.login, count(*) FROM ticket t JOIN app_user u ON u.id = t.assignee_id "
                "WHERE t.status IN ('open', 'in_progress') AND u.role = 'member' AND u.active "
                "GROUP BY u.login ORDER BY count(*) DESC, u.login LIMIT 1").fetchone()
            self.supervisor = q("SELECT login FROM app_user WHERE role = 'supervisor' "
                                "AND active ORDER BY id LIMIT 1").fetchone()[0]
            self.supervisors = q("SELECT count(*) FROM app_user WHERE role = 'supervisor' "
                                 "AND active").fetchone()[0]
            self.open_ids = [r[0] for r in q(
                "SELECT t.id FROM ticket t JOIN app_user u ON u.id = t.assignee_id "
                "WHERE u.login = ? AND t.status IN ('open', 'in_progress') "
                "ORDER BY t.due_at, t.id", (self.member,))]
            self.case_id = q("SELECT case_id FROM ticket WHERE id = ?",
                             (self.open_ids[0],)).fetchone()[0]
            self.entries = q("SELECT count(*) FROM clear_list_entry "
                             "WHERE status != 'signed_off'").fetchone()[0]
            newest = q("SELECT max(at) FROM audit_event").fetchone()[0]
            self.newest = datetime.fromisoformat(newest).replace(tzinfo=UTC)
            self.project = q("SELECT code FROM project ORDER BY id LIMIT 1").fetchone()[0]


def _job(ctx: Context, argv_for: Callable[[int], list[str]],
         env: dict[str, str] | None = None) -> Callable[[int], tuple[float, float]]:
    return lambda n: ctx.process(argv_for(n), env=env)


def _pair(ctx: Context, key: str, what: str, args: list[str], user: str | None,
          floor_sql: str, floor_params: tuple[str, ...] = (), *, target_ratio: float | None,
          target_s: float | None = None, floor_what: str = "python + sqlite3, same query",
          db_url: str | None = None, floor_db: Path | None = None, runs: int | None = None,
          note: str = "") -> Row:
    url = db_url or ctx.city_url
    found = ctx.interleave({
        "cmd": _job(ctx, lambda _n: caseflow_argv(url, user, *args), LANG),
        "floor": _job(ctx, lambda _n: floor_argv(floor_db or ctx.city, floor_sql,
                                                 *floor_params)),
    }, runs=runs)
    return Row(key, what, samples=walls(found["cmd"]), floor=walls(found["floor"]),
               floor_cpu=cpus(found["floor"]),
               cpu=cpus(found["cmd"]), floor_what=floor_what, target_ratio=target_ratio,
               target_s=target_s, note=note)


@register("commands", order=10)
def command_rows(ctx: Context) -> list[Row]:
    city = City(ctx.city)
    ctx.say(f"  acting as member {city.member} ({city.member_open} open orders) and "
            f"supervisor {city.supervisor} ({city.supervisors} supervisors in the city)")
    rows: list[Row] = []

    def add(row: Row) -> None:
        rows.append(row)
        ratio = f"{row.ratio:.1f}×" if row.ratio else ""
        ctx.say(f"  {row.what}: {row.median:.3f} s {ratio}")

    tid = str(city.open_ids[0])
    add(_pair(ctx, "ticket_list_mine", f"ticket list --mine ({city.member_open} open)",
              ["ticket", "list", "--mine"], city.member, MINE_SQL, (city.member,),
              target_ratio=8))
    add(_pair(ctx, "ticket_show", "ticket show ID", ["ticket", "show", tid], city.member,
              TICKET_SQL, (tid,), target_ratio=8))
    add(_pair(ctx, "case_show", "case show ID", ["case", "show", str(city.case_id)],
              city.member, CASE_SQL, (str(city.case_id),), target_ratio=8))
    add(_close_row(ctx, city))
    add(_pair(ctx, "clearlist", f"clearlist (first 100 of {city.entries:,})", ["clearlist"],
              city.supervisor, CLEAR_PAGE_SQL, target_ratio=25))
    add(_pair(ctx, "clearlist_json", f"clearlist --json (all {city.entries:,} entries)",
              ["clearlist", "--json"], city.supervisor, CLEAR_SELECT, target_ratio=None,
              target_s=3.0, runs=max(3, ctx.runs // 3)))
    from caseflow.adapters.demo.city import REFERENCE

    week_end = REFERENCE - timedelta(hours=9)  # Monday 00:00 Shanghai: the last whole week
    week_start = week_end - timedelta(days=7)
    add(_pair(ctx, "report_weekly", "report weekly", ["report", "weekly"], city.supervisor,
              WEEKLY_SQL, (_stamp(week_start), _stamp(week_end)), target_ratio=25,
              floor_what="python + sqlite3, the week's events grouped"))
    add(_pair(ctx, "report_progress", "report progress (by town)", ["report", "progress"],
              city.supervisor, PROGRESS_SQL, target_ratio=25,
              floor_what="python + sqlite3, cases by town and stage"))
    add(_pair(ctx, "report_burndown", "report burndown", ["report", "burndown"],
              city.supervisor, BURNDOWN_SQL, (_stamp(week_end), _stamp(week_end - timedelta(
                  days=30))), target_ratio=25,
              floor_what="python + sqlite3, orders open per day"))
    add(_pair(ctx, "case_list", "case list --project CODE", ["case", "list", "--project",
                                                             city.project],
              city.supervisor, "SELECT c.* FROM enterprise_case c JOIN project p ON "
              "p.id = c.project_id WHERE p.code = ? ORDER BY c.id", (city.project,),
              target_ratio=25))
    add(_startup_row(ctx))
    rows.extend(_sweep_rows(ctx, city))
    return rows


def _close_row(ctx: Context, city: City) -> Row:
    """``ticket close`` on one copy, its floor's UPDATE + INSERT on another; each round
    closes a different order of the member's."""
    cmd_url, floor_url = ctx.copy("close"), ctx.copy("close-floor")
    floor_db = Path(floor_url.removeprefix("sqlite:///"))
    ids = city.open_ids
    rounds = min(ctx.runs, len(ids) // 2 - 1)
    found = ctx.interleave({
        "cmd": _job(ctx, lambda n: caseflow_argv(cmd_url, city.member, "ticket", "close",
                                                 str(ids[n + 1]), "--note", "bench"), LANG),
        "floor": _job(ctx, lambda n: [sys.executable, "-c", CLOSE_FLOOR, str(floor_db),
                                      str(ids[-(n + 2)])]),
    }, runs=rounds)
    return Row("ticket_close", "ticket close ID --note …", samples=walls(found["cmd"]),
               floor=walls(found["floor"]), floor_cpu=cpus(found["floor"]), cpu=cpus(found["cmd"]),
               floor_what="python + sqlite3, UPDATE + audit INSERT", target_ratio=8)


def _startup_row(ctx: Context) -> Row:
    import sys as _sys

    found = ctx.interleave({
        "cmd": _job(ctx, lambda _n: caseflow_argv(ctx.city_url, None, "--version")),
        "floor": _job(ctx, lambda _n: [_sys.executable, "-c", "pass"]),
    })
    return Row("version", "caseflow --version", samples=walls(found["cmd"]),
               floor=walls(found["floor"]), floor_cpu=cpus(found["floor"]),
               floor_what="python -c pass", target_ratio=None,
               note="start-up alone, for reference")


def _sweep_rows(ctx: Context, city: City) -> list[Row]:
    """The scheduler's sweep on the city data set as a command: once when about
    10,000 orders have gone overdue since the previous sweep (alerts queued to the
    city's real supervisors), once five minutes later with nothing new. Each round
    starts from a fresh copy already swept as of the data set's moment."""
    from caseflow.adapters.demo.city import REFERENCE

    with sqlite3.connect(ctx.city) as conn:
        dues = [r[0] for r in conn.execute(
            "SELECT due_at FROM ticket WHERE status IN ('open', 'in_progress') AND due_at > ? "
            "ORDER BY due_at LIMIT 10000", (_stamp(REFERENCE),))]
    if not dues:
        return []
    later = datetime.fromisoformat(dues[-1]).replace(tzinfo=UTC) + timedelta(seconds=1)
    quiet = later + timedelta(minutes=5)
    base = ctx.copy("swept")
    ctx.process(caseflow_argv(base, city.supervisor, "sweep", "--as-of",
                              REFERENCE.isoformat()), env=LANG)
    base_path = Path(base.removeprefix("sqlite:///"))
    runs = max(3, ctx.runs // 3)
    new, nothing, floors = [], [], []
    for _ in range(runs):
        url = ctx.copy("sweep")
        path = Path(url.removeprefix("sqlite:///"))
        shutil.copy(base_path, path)
        new.append(ctx.process(caseflow_argv(url, city.supervisor, "sweep", "--as-of",
                                             later.isoformat()), env=LANG))
        floors.append(ctx.process(floor_argv(path, SWEEP_FLOOR_SQL, _stamp(later),
                                             _stamp(quiet))))
        nothing.append(ctx.process(caseflow_argv(url, city.supervisor, "sweep", "--as-of",
                                                 quiet.isoformat()), env=LANG))
        path.unlink()
    return [
        Row("sweep_new", f"sweep, {len(dues):,} newly overdue of "
            f"{ctx.meta.get('counts', {}).get('ticket', 0):,} ({city.supervisors} supervisors)",
            samples=walls(new), cpu=cpus(new), target_s=2.0),
        Row("sweep_nothing", "sweep, nothing new", samples=walls(nothing), cpu=cpus(nothing),
            floor=walls(floors), floor_cpu=cpus(floors),
            floor_what="python + sqlite3, the newly-overdue query",
            target_ratio=12),
    ]

