"""``python -m bench`` (``make bench``): every figure the issues name, in one table.

Builds the city-scale data set once and caches it in ``bench/data/`` (git-ignored),
runs each measurement, prints one rich table with the target and, where there is
one, the raw SQLite figure for the same operation and the ratio, writes
``bench/results.json`` and compares with the previous run. Each module reports in
its own terms; ``TRANSLATE`` picks the table's figures out of what it returns. A
measurement whose module is missing shows "not available", one that fails shows why;
neither stops the run. The sweep is timed on its own cached 1M-order database with
exactly 10,000 newly overdue orders (``bench/sweep_bench.py``), the others on copies
of the city data set.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from caseflow.clock import SystemClock

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results.json"


@dataclass
class Figure:
    key: str
    issue: int
    what: str
    unit: str
    target: float
    higher_is_better: bool = False
    raw_key: str | None = None     # the raw SQLite figure for the same operation
    raw_what: str = ""
    value: float | None = None
    raw: float | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def target_text(self) -> str:
        return f"{'≥' if self.higher_is_better else '≤'} {self.target:g} {self.unit}"


def figures() -> list[Figure]:
    return [
        Figure("cases_per_s", 2, "cases+orders created, batch 10k", "/s",
               5000, True, "raw_rows_per_s", "rows/s"),
        Figure("advance_p50_ms", 2, "advance one case, p50", "ms", 5,
               raw_key="raw_advance_p50_ms", raw_what="ms, same writes by hand"),
        Figure("ticket_list_mine_s", 3, "ticket list --mine (wall, city db)", "s", 0.5),
        Figure("ticket_close_s", 3, "ticket close ID (wall, city db)", "s", 0.5),
        Figure("import_10k_s", 3, "case import, 10k rows (wall)", "s", 10),
        Figure("sweep_10k_s", 4, "sweep, 10k newly overdue of 1M", "s", 1.0,
               raw_key="raw_sweep_s", raw_what="indexed SQL pass"),
        Figure("sweep_empty_s", 4, "sweep, nothing new, 1M", "s", 0.05),
        Figure("report_weekly_s", 5, "report weekly, city db", "s", 2.0),
        Figure("report_progress_s", 5, "report progress, city db", "s", 2.0),
        Figure("city_generation_s", 6, "city data set generation", "s", 120),
        Figure("demo_s", 6, "caseflow demo, 8 weeks (wall)", "s", 60),
        Figure("board_page_ms", 13, "board: slowest page, median (city db)", "ms", 100),
    ]


def city_database(console: Console) -> tuple[Path, dict[str, Any]]:
    """The cached city-scale SQLite file (rebuilt when the generator changes)."""
    from caseflow.adapters.demo import city

    DATA.mkdir(exist_ok=True)
    path, meta_path = DATA / "city.db", DATA / "city.json"
    if path.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") == city.GENERATOR_VERSION:
            _upgrade(path)  # a cached data set follows the schema through migrations
            return path, meta
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    console.print("building the city-scale data set (once; cached in bench/data/)…")
    report = city.generate(f"sqlite:///{path}", progress=console.print)
    console.print(report.summary())
    meta = {"generator": city.GENERATOR_VERSION, "seconds": report.seconds,
            "counts": report.counts}
    meta_path.write_text(json.dumps(meta, indent=2))
    return path, meta


def _upgrade(path: Path) -> None:
    from caseflow.persistence import migrate
    from caseflow.persistence.db import make_engine

    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def copy_of(path: Path, workdir: Path, name: str) -> str:
    """Benchmarks that write get their own copy of the city database."""
    target = workdir / f"{name}.db"
    shutil.copy(path, target)
    return f"sqlite:///{target}"


def optional(module: str) -> Callable[..., Any] | None:
    """``bench.<module>.measure`` when that module is part of this build."""
    name = f"bench.{module}"
    if importlib.util.find_spec(name) is None:
        return None
    return getattr(importlib.import_module(name), "measure", None)


KEYS_OF = {
    "core": ("cases_per_s", "advance_p50_ms"), "import": ("import_10k_s",),
    "cli_latency": ("ticket_list_mine_s", "ticket_close_s"),
    "sweep_bench": ("sweep_10k_s", "sweep_empty_s"),
    "report_bench": ("report_weekly_s", "report_progress_s"), "demo": ("demo_s",),
    "board_bench": ("board_page_ms",),
}


def _ms_median(result: dict[str, Any], name: str) -> float | None:
    timing = result.get(name)
    return timing["median_ms"] / 1000 if isinstance(timing, dict) else None


# Each module reports in its own words (cli_latency: nested dicts in ms; sweep_bench and
# report_bench: their own key names); these pick the figures this table shows.
TRANSLATE: dict[str, Callable[[dict[str, Any]], dict[str, float | None]]] = {
    "cli_latency": lambda r: {"ticket_list_mine_s": _ms_median(r, "ticket_list_mine"),
                              "ticket_close_s": _ms_median(r, "ticket_close")},
    "sweep_bench": lambda r: {"sweep_10k_s": r.get("sweep_new_s"),
                              "sweep_empty_s": r.get("sweep_nothing_s"),
                              "raw_sweep_s": r.get("raw_sqlite_s")},
    "report_bench": lambda r: {"report_weekly_s": r.get("weekly_s"),
                               "report_progress_s": r.get("progress_s")},
    "board_bench": lambda r: {"board_page_ms": r.get("worst_median_ms")},
}


def run(console: Console) -> list[Figure]:
    from bench import core_bench

    rows = figures()
    values: dict[str, float] = {}
    notes: dict[str, str] = {}

    def attempt(label: str, fn: Callable[[], dict[str, Any] | None]) -> None:
        console.print(f"· {label}…")
        began = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:  # a broken benchmark is reported, the others still run
            traceback.print_exc()
            notes[label] = f"failed: {type(exc).__name__}: {exc}"[:80]
            return
        console.print(f"  {label} done in {time.perf_counter() - began:.1f} s")
        if result and label in TRANSLATE:
            result = TRANSLATE[label](result)
        if result:
            values.update({k: float(v) for k, v in result.items()
                           if isinstance(v, int | float) and not isinstance(v, bool)})

    city_path, meta = city_database(console)
    values["city_generation_s"] = meta["seconds"]
    with tempfile.TemporaryDirectory(prefix="caseflow-bench-") as tmp:
        work = Path(tmp)
        attempt("core", lambda: core_bench.measure_core(work))
        attempt("raw", lambda: core_bench.measure_raw_sqlite(work))
        attempt("import", lambda: core_bench.measure_import(work))
        for module in ("cli_latency", "sweep_bench", "report_bench", "board_bench"):
            measure = optional(module)
            if measure is None:
                notes[module] = "not available"
            elif module == "sweep_bench":
                # its own 1M-order database with exactly 10k newly overdue (cached here):
                # the city data set has been swept already, so nothing would be new there
                attempt(module, lambda m=measure: m(workdir=DATA))
            else:
                attempt(module, lambda m=measure, n=module: m(copy_of(city_path, work, n)))
        attempt("demo", lambda: core_bench.measure_demo(work))
    for row in rows:
        row.value = values.pop(row.key, None)
        if row.raw_key:
            row.raw = values.pop(row.raw_key, None)
        if row.value is None:
            row.note = next((n for label, n in notes.items() if row.key in KEYS_OF.get(label, ())),
                            "not available")
    for key, value in sorted(values.items()):  # figures a module gave beyond the list
        rows.append(Figure(key, 0, key.replace("_", " "), "", float("nan"), value=value,
                           note="extra"))
    return rows


def ratio(row: Figure) -> str:
    if row.value is None or row.raw is None or not row.raw:
        return ""
    if row.key == "cases_per_s":  # compare rows written per second with raw rows per second
        return ""
    return f"{row.value / row.raw:.1f}×"


def _num(value: float) -> str:
    if value != value:  # NaN
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def render(rows: list[Figure], previous: dict[str, Any], console: Console,
           extra: dict[str, float]) -> None:
    table = Table(title="caseflow benchmarks (SQLite, this machine)", title_justify="left")
    for col in ("issue", "figure", "value", "target", "ok", "raw SQLite", "ratio", "last run"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    before = {r["key"]: r.get("value") for r in previous.get("figures", [])}
    for row in rows:
        value = (row.note or "not available") if row.value is None \
            else f"{_num(row.value)} {row.unit}".strip()
        ok = {None: "", True: "[green]yes[/green]", False: "[red]no[/red]"}[row.met] \
            if row.note != "extra" else ""
        raw = f"{_num(row.raw)} {row.raw_what}" if row.raw is not None else ""
        r = ratio(row)
        if row.key == "cases_per_s" and row.raw is not None and "service_rows_per_s" in extra:
            r = f"{extra['service_rows_per_s'] / row.raw:.2f}× (rows/s)"
        last = before.get(row.key)
        trend = ""
        if last is not None and row.value is not None and last:
            change = (row.value - last) / last
            trend = f"{_num(last)} ({change:+.0%})"
        table.add_row(str(row.issue or ""), row.what, value,
                      row.target_text() if row.note != "extra" else "", ok, raw, r, trend)
    console.print(table)


def main() -> int:
    console = Console()
    console.width = max(console.width, 120)  # one readable table, also when piped
    sys.path.insert(0, str(HERE.parent))
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    began = time.perf_counter()
    rows = run(console)
    extra = {r.key: r.value for r in rows if r.note == "extra" and r.value is not None}
    rows_shown = [r for r in rows if r.key not in ("service_rows_per_s",)]
    render(rows_shown, previous, console, extra)
    RESULTS.write_text(json.dumps({
        "at": SystemClock().now().isoformat(timespec="seconds"),
        "machine": platform.platform(), "python": platform.python_version(),
        "seconds": round(time.perf_counter() - began, 1),
        "figures": [asdict(r) for r in rows],
    }, indent=2, ensure_ascii=False, default=str))
    console.print(f"written {RESULTS.relative_to(HERE.parent)}"
                  + (f"; compared with the run of {previous['at']}" if previous else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
