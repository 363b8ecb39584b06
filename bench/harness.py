"""The bench's rows and how a module adds its own.

A row is one figure a user would feel: usually a whole ``caseflow`` process on the
city data set, timed interleaved with its *floor* (a ``python`` + ``sqlite3`` process
running the same query) in the same run, reported as medians with their range and
the ratio to the floor, against a target and a pass mark.

Adding rows (server, web pages, TUI, …): put a module in ``bench/`` and decorate a
function taking a ``Context`` and returning (or yielding) ``Row`` objects::

    from bench.harness import Context, Row, register

    @register("server", order=50)
    def server_rows(ctx: Context) -> list[Row]:
        samples = ...                     # seconds, measured however fits
        return [Row("server_ticket_list_p50", "GET /tickets?mine, 50 clients, p50",
                    samples=samples, target_s=0.05, kind="server")]

``make bench`` imports every module in ``bench/`` and runs each registered function
once, in ``order``; one that raises is reported as failed and the others still run.
``python -m bench --only server`` runs just that one (the city data set is built
first if missing). ``Context`` offers the city data set (``ctx.city_url``, a
writable copy with ``ctx.copy()``), the PostgreSQL copy when there is one
(``ctx.pg_url``), a scratch directory and ``ctx.process()`` / ``ctx.interleave()``
to time commands.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("process", "floor", "taskwarrior", "in-process", "server", "web", "tui")


@dataclass
class Row:
    """One figure. ``samples`` are seconds; the median is the figure, min–max its range.

    Pass mark: ``target_ratio`` (≤ N× the floor's median) when there is a floor,
    and/or ``target_s`` (≤ N seconds); a row with neither is shown for comparison.
    """

    key: str
    what: str
    samples: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    floor_what: str = ""
    target_ratio: float | None = None
    target_s: float | None = None
    kind: str = "process"
    database: str = "sqlite"
    issue: int = 16
    note: str = ""
    cpu: list[float] = field(default_factory=list)        # user + system seconds
    floor_cpu: list[float] = field(default_factory=list)

    @property
    def cpu_ratio(self) -> float | None:
        """The ratio in CPU time: on a shared machine the neighbours inflate wall time
        (a load of 15 on 2 cores makes every process wait), hardly CPU time."""
        if not self.cpu or not self.floor_cpu:
            return None
        floor = statistics.median(self.floor_cpu)
        return statistics.median(self.cpu) / floor if floor else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor) if self.floor else None

    @property
    def ratio(self) -> float | None:
        median, floor = self.median, self.floor_median
        return median / floor if median is not None and floor else None

    @property
    def passed(self) -> bool | None:
        if self.median is None:
            return None
        checks = []
        if self.target_ratio is not None and self.ratio is not None:
            checks.append(self.ratio <= self.target_ratio)
        if self.target_s is not None:
            checks.append(self.median <= self.target_s)
        return all(checks) if checks else None

    def target_text(self) -> str:
        parts = []
        if self.target_ratio is not None:
            parts.append(f"≤ {self.target_ratio:g}×")
        if self.target_s is not None:
            parts.append(f"≤ {self.target_s:g} s")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 4)

        return {
            "key": self.key, "what": self.what, "kind": self.kind, "database": self.database,
            "issue": self.issue, "median_s": r(self.median),
            "min_s": r(min(self.samples)) if self.samples else None,
            "max_s": r(max(self.samples)) if self.samples else None,
            "runs": len(self.samples), "floor_what": self.floor_what,
            "floor_median_s": r(self.floor_median),
            "floor_min_s": r(min(self.floor)) if self.floor else None,
            "floor_max_s": r(max(self.floor)) if self.floor else None,
            "ratio": r(self.ratio), "target_ratio": self.target_ratio,
            "target_s": self.target_s, "passed": self.passed, "note": self.note,
            "cpu_median_s": r(statistics.median(self.cpu)) if self.cpu else None,
            "floor_cpu_median_s": r(statistics.median(self.floor_cpu))
            if self.floor_cpu else None,
            "cpu_ratio": r(self.cpu_ratio),
            "samples_s": [round(s, 4) for s in self.samples],
            "floor_samples_s": [round(s, 4) for s in self.floor],
        }


@dataclass
class Registered:
    name: str
    order: int
    fn: Callable[[Context], Iterable[Row]]


REGISTRY: dict[str, Registered] = {}


def register(name: str, *, order: int = 100) -> Callable[[Callable[[Context], Iterable[Row]]],
                                                         Callable[[Context], Iterable[Row]]]:
    """Add a function's rows to ``make bench`` (see the module's docstring)."""
    def decorate(fn: Callable[[Context], Iterable[Row]]) -> Callable[[Context], Iterable[Row]]:
        REGISTRY[name] = Registered(name, order, fn)
        return fn
    return decorate


@dataclass
class Context:
    city: Path                       # the cached city data set (do not write to it)
    meta: dict[str, Any]             # what the generator said: counts, seconds
    workdir: Path                    # scratch space, removed after the run
    runs: int = 9                    # samples per timed command
    pg_url: str | None = None        # the city data set on PostgreSQL, when built
    say: Callable[[str], Any] = print
    only: tuple[str, ...] = ()       # modules named with --only (some run only then)
    _copies: int = 0

    @property
    def city_url(self) -> str:
        return f"sqlite:///{self.city}"

    def copy(self, name: str | None = None) -> str:
        """A writable copy of the city data set (for commands that write)."""
        self._copies += 1
        target = self.workdir / f"{name or 'copy'}-{self._copies}.db"
        shutil.copy(self.city, target)
        return f"sqlite:///{target}"

    # -- timing whole processes ---------------------------------------------------

    def process(self, argv: Sequence[str], *, env: dict[str, str] | None = None,
                stdin: str | None = None, check: bool = True) -> tuple[float, float]:
        """Run one process; return (wall, CPU) seconds. Output is read and dropped."""
        full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
        full_env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(list(argv), input=stdin, capture_output=True, text=True,
                              env=full_env, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:6])}… exited {done.returncode}: "
                               f"{(done.stderr or done.stdout).strip()[:300]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu

    def interleave(self, jobs: dict[str, Callable[[int], Any]], runs: int | None = None,
                   warm: bool = True) -> dict[str, list[tuple[float, float]]]:
        """Run each job once per round, round after round, so the neighbours' load on a
        shared machine falls on every job alike. A job is called with the round number
        and returns (wall, CPU) seconds; a first untimed round warms the file cache."""
        rounds = runs or self.runs
        found: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
        if warm:
            for job in jobs.values():
                job(-1)
        for n in range(rounds):
            for name, job in jobs.items():
                found[name].append(job(n))
        return found


def caseflow_argv(db_url: str, user: str | None, *args: str) -> list[str]:
    """The command as a user runs it (the console script's entry point)."""
    script = Path(sys.executable).with_name("caseflow")
    head = [str(script)] if script.is_file() else [
        sys.executable, "-c", "from caseflow.adapters.cli.main import run; run()"]
    who = ["--user", user] if user else []
    return [*head, "--db", db_url, *who, *args]


FLOOR_PROGRAM = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
params = tuple(int(p) if p.isdigit() else p for p in sys.argv[3:])
rows = conn.execute(sys.argv[2], params).fetchall()
out = sys.stdout
for row in rows:
    out.write("\\t".join(map(str, row)))
    out.write("\\n")
"""


def floor_argv(path: Path, sql: str, *params: str) -> list[str]:
    """The floor: a python + sqlite3 process running the same query and printing it."""
    return [sys.executable, "-c", FLOOR_PROGRAM, str(path), sql, *params]


def walls(samples: list[tuple[float, float]]) -> list[float]:
    return [w for w, _c in samples]


def cpus(samples: list[tuple[float, float]]) -> list[float]:
    return [c for _w, c in samples]
