"""``caseflow demo``: build a fresh town, simulate weeks of its work, show the result.

The demo never touches the user's own database: unless ``--db`` names one, it
writes a new SQLite file in the user's cache directory, replacing the previous demo.
"""

from __future__ import annotations

import random
import time as walltime
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from caseflow.adapters.demo import names
from caseflow.adapters.demo import town as town_mod
from caseflow.adapters.demo.simulate import Simulation, Stats, run
from caseflow.bootstrap import bootstrap
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.errors import InvalidInput, Refused
from caseflow.persistence import migrate
from caseflow.services import directory, setup
from caseflow.services.app import App

# The shown weeks start on Monday 2 March 2026; the fast-forwarded past before it.
WINDOW_START = date(2026, 3, 2)
PAST_DAYS = 140
HEAD_START_SHARE = 0.45


@dataclass
class DemoResult:
    database_url: str
    town: town_mod.Town
    stats: Stats
    start: date
    end: date
    seconds: float


def default_database_url(town: str) -> str:
    from platformdirs import user_cache_dir

    path = Path(user_cache_dir("caseflow")) / f"demo-{town}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def refuse_non_empty(app: App) -> None:
    """A demo writes a whole town: only into a database with no caseflow data."""
    if migrate.current_revision(app.engine) is None:
        return
    if directory.list_users(app):
        raise Refused("the database given with --db already holds caseflow data; "
                      "the demo only writes into an empty one",
                      hint="leave out --db to use a fresh demo file")


def build_and_simulate(url: str, town_key: str, weeks: int, seed: int) -> DemoResult:
    if town_key not in names.TOWNS:
        raise InvalidInput(f"unknown town {town_key!r}: choose {', '.join(names.TOWNS)}")
    if not 1 <= weeks <= 52:
        raise InvalidInput(f"--weeks {weeks} must be between 1 and 52")
    began = walltime.perf_counter()
    rng = random.Random(seed)
    past = WINDOW_START - timedelta(days=PAST_DAYS)
    clock = FixedClock(datetime.combine(past, time(8, 30), SHANGHAI))
    app = bootstrap(database_url=url, clock=clock)
    try:
        refuse_non_empty(app)
        setup.init(app, town_mod.ADMIN, "系统管理员")
        seed_data = names.TOWNS[town_key]()
        town = town_mod.build_people(app, seed_data, rng)
        town_mod.add_projects(app, town)
        sim = Simulation(app, town, clock, rng)

        # the past: a share of the cases started months ago and moved on a few stages
        batches = town_mod.case_batches(town, rng, seed_data.cases)
        early = {code: rows[:round(len(rows) * HEAD_START_SHARE)] for code, rows in batches.items()}
        later = {code: rows[len(early[code]):] for code, rows in batches.items()}
        clock.set(datetime.combine(past, time(9, 0), SHANGHAI))
        for case_id in town_mod.add_cases(app, town, early, note="2025年度工改计划"):
            sim.fast_forward[case_id] = rng.choice((1, 1, 2, 2, 3))
        sim.adopt_open_orders(past)
        day = past
        while day < WINDOW_START and sim.fast_forward:
            if app.calendar.is_workday(day):
                sim.day(day, full=False, only_cases=sim.fast_forward)
            day += timedelta(days=1)
        sim.fast_forward.clear()
        sim.catch_up(WINDOW_START)

        # the shown weeks: the rest of the cases start, and the town works
        clock.set(datetime.combine(WINDOW_START, time(8, 0), SHANGHAI))
        town_mod.add_cases(app, town, later, note="2026年度工改计划")
        sim.adopt_open_orders(WINDOW_START)
        run(sim, WINDOW_START, weeks)
    finally:
        app.engine.dispose()
    end = WINDOW_START + timedelta(days=weeks * 7 - 1)
    return DemoResult(url, town, sim.stats, WINDOW_START, end, walltime.perf_counter() - began)
