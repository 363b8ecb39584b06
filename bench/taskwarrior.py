"""Taskwarrior beside caseflow, when it is installed (Debian package ``taskwarrior``).

A person comparing tools compares the wait: ``task overdue`` against ``ticket list
--mine`` and ``task ID done`` against ``ticket close``, each interleaved with the
other, Taskwarrior at 10,000 and at 100,000 tasks (its own data files, written
straight in its line format, cached in ``bench/data/``), caseflow on the city data
set (1M work orders). The ratio is caseflow's median over Taskwarrior's: issue 16
asks for no more than 1× (no slower) on ``list`` and ``close``.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.commands import LANG, City
from bench.harness import Context, Row, caseflow_argv, cpus, register, walls

DATA = Path(__file__).resolve().parent / "data"
SIZES = (10_000, 100_000)
REFERENCE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _task_data(size: int) -> Path:
    """A Taskwarrior data directory with ``size`` pending tasks: a third overdue, the
    rest due over the next 60 days, across 50 projects."""
    folder = DATA / f"task-{size}"
    pending = folder / "pending.data"
    if pending.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    entry = int((REFERENCE - timedelta(days=90)).timestamp())
    lines = []
    for n in range(size):
        due = REFERENCE + timedelta(days=(n % 90) - 30, hours=n % 24)
        lines.append(f'[description:"补交材料 {n}" due:"{int(due.timestamp())}" '
                     f'entry:"{entry}" modified:"{entry}" project:"p{n % 50}" '
                     f'status:"pending" uuid:"{uuid.UUID(int=n + 1)}"]\n')
    for name in ("completed.data", "undo.data", "backlog.data"):
        (folder / name).write_text("")
    pending.write_text("".join(lines), encoding="utf-8")
    return folder


def _copy(ctx: Context, source: Path, name: str) -> Path:
    target = ctx.workdir / name
    shutil.copytree(source, target)
    rc = target / "taskrc"
    rc.write_text(f"data.location={target}\nconfirmation=off\nverbose=nothing\nhooks=off\n"
                  "color=off\n", encoding="utf-8")
    return rc


@register("taskwarrior", order=70)
def taskwarrior_rows(ctx: Context) -> list[Row]:
    task = shutil.which("task")
    if task is None:
        ctx.say("  Taskwarrior not installed (apt-get install taskwarrior): rows left out")
        return []
    city = City(ctx.city)
    rows = []
    close_url = ctx.copy("tw-close")
    used = iter(city.open_ids[1:])
    fake_now = {"TZ": "UTC"}
    for size in SIZES:
        rc = _copy(ctx, _task_data(size), f"task-{size}")
        env = {"TASKRC": str(rc), **fake_now}
        listing = ctx.interleave({
            "caseflow": lambda _n: ctx.process(caseflow_argv(
                ctx.city_url, city.member, "ticket", "list", "--mine"), env=LANG),
            "task": lambda _n, env=env: ctx.process([task, "overdue"], env=env),
        }, runs=max(3, ctx.runs // 2))
        rows.append(Row(f"vs_task_list_{size // 1000}k",
                        f"ticket list --mine vs task overdue ({size // 1000}k tasks)",
                        samples=walls(listing["caseflow"]), cpu=cpus(listing["caseflow"]),
                        floor=walls(listing["task"]), floor_cpu=cpus(listing["task"]),
                        floor_what=f"Taskwarrior `task overdue`, {size:,} tasks",
                        target_ratio=1.0, kind="taskwarrior"))
        done = iter(range(1, size))
        closing = ctx.interleave({
            "caseflow": lambda _n: ctx.process(caseflow_argv(
                close_url, city.member, "ticket", "close", str(next(used)), "--note", "bench"),
                env=LANG),
            "task": lambda _n, env=env, done=done: ctx.process([task, str(next(done)), "done"],
                                                               env=env),
        }, runs=max(3, ctx.runs // 2))
        rows.append(Row(f"vs_task_close_{size // 1000}k",
                        f"ticket close vs task ID done ({size // 1000}k tasks)",
                        samples=walls(closing["caseflow"]), cpu=cpus(closing["caseflow"]),
                        floor=walls(closing["task"]), floor_cpu=cpus(closing["task"]),
                        floor_what=f"Taskwarrior `task ID done`, {size:,} tasks",
                        target_ratio=1.0, kind="taskwarrior"))
        for row in rows[-2:]:
            ctx.say(f"  {row.what}: {row.median:.3f} s vs {row.floor_median:.3f} s")
    return rows
