"""``python -m bench`` (``make bench``): what users wait for, as whole processes.

Builds the city data set once (100,000 cases, ~1M work orders; cached in
``bench/data/``, git-ignored), then runs every registered module's rows (see
``bench/harness.py`` for how a module adds its own), prints one table (command,
whole-process median with its range, floor median, ratio, target, pass) and writes
``bench/results.json``. Timings on a shared machine are noisy: the table says the
load average before and after, and each figure keeps its samples.

    python -m bench [--runs N] [--only NAME ...] [--skip NAME ...] [--pg URL]

``--pg`` (or ``CASEFLOW_BENCH_PG``) names a PostgreSQL database the bench may fill
with the city data set (never the tests' database); modules with PostgreSQL rows use
it when given.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results.json"
sys.path.insert(0, str(HERE.parent))

from bench.harness import REGISTRY, Context, Row  # noqa: E402


def city_database(say: Any) -> tuple[Path, dict[str, Any]]:
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
    say("building the city-scale data set (once; cached in bench/data/)…")
    report = city.generate(f"sqlite:///{path}", progress=say)
    say(report.summary())
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


def discover() -> None:
    """Import every module of ``bench/``: each registers its rows."""
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name not in ("__main__", "harness"):
            importlib.import_module(f"bench.{info.name}")


def _num(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _range(samples: list[float]) -> str:
    if len(samples) < 2:
        return ""
    return f"{_num(min(samples))}–{_num(max(samples))}"


def render(rows: list[Row], failures: dict[str, str]) -> str:
    """The table, plain text (it goes to a log as often as to a terminal)."""
    head = ["command", "median", "range", "floor", "ratio", "target", "pass", "CPU", "CPU ratio",
            "kind"]
    body = []
    for r in rows:
        mark = {True: "yes", False: "NO", None: ""}[r.passed]
        cpu = _num(statistics.median(r.cpu)) if r.cpu else ""
        body.append([r.what, _num(r.median), _range(r.samples), _num(r.floor_median),
                     f"{r.ratio:.1f}×" if r.ratio else "", r.target_text(), mark, cpu,
                     f"{r.cpu_ratio:.1f}×" if r.cpu_ratio else "",
                     r.kind if r.database == "sqlite" else f"{r.kind}/{r.database}"])
    from caseflow.adapters.cli.plain import cells, pad

    widths = [max(cells(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(pad(c, w, i in (1, 3, 4, 7, 8)) for i, (c, w) in
                       enumerate(zip(line, widths, strict=True))).rstrip()
             for line in [head, ["─" * w for w in widths], *body]]
    lines += [f"{name}: {why}" for name, why in failures.items()]
    return "\n".join(lines)


def markdown(paths: list[Path]) -> str:
    """Runs as a markdown table, for docs/scaling.md."""
    lines = ["| command | database | median (range) | floor | ratio | CPU | CPU ratio | target "
             "| pass |", "|---|---|---|---|---|---|---|---|---|"]

    def times(value: float | None) -> str:
        return f"{value:.1f}×" if value else ""

    for path in paths:
        for r in json.loads(path.read_text())["rows"]:
            spread = f" ({_num(r['min_s'])}–{_num(r['max_s'])})" if (r["runs"] or 0) > 1 else ""
            targets = []
            if r["target_ratio"]:
                targets.append(f"≤ {r['target_ratio']:g}×")
            if r["target_s"]:
                targets.append(f"≤ {r['target_s']:g} s")
            floor = _num(r["floor_median_s"]) if r["floor_median_s"] else ""
            cpu = _num(r["cpu_median_s"]) if r["cpu_median_s"] else ""
            passed = {True: "yes", False: "no"}.get(r["passed"], "")
            lines.append(f"| {r['what']} | {r['database']} | {_num(r['median_s'])}{spread} "
                         f"| {floor} | {times(r['ratio'])} | {cpu} "
                         f"| {times(r.get('cpu_ratio'))} | {', '.join(targets)} | {passed} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="samples per command (default 9)")
    parser.add_argument("--only", nargs="*", default=[], help="run only these modules")
    parser.add_argument("--skip", nargs="*", default=[], help="leave these modules out")
    parser.add_argument("--pg", default=os.environ.get("CASEFLOW_BENCH_PG"),
                        help="a PostgreSQL URL the bench may fill (never the tests' database)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where to write the run (default bench/results.json)")
    parser.add_argument("--markdown", nargs="*", type=Path, metavar="RESULTS",
                        help="print earlier runs (results files) as one markdown table, "
                             "run nothing")
    args = parser.parse_args(argv)
    if args.markdown is not None:
        print(markdown(args.markdown or [RESULTS]))
        return 0

    def say(message: str) -> None:
        print(message, flush=True)

    began = time.perf_counter()
    load_before = os.getloadavg()
    discover()
    city, meta = city_database(say)
    rows: list[Row] = []
    failures: dict[str, str] = {}
    chosen = sorted((r for r in REGISTRY.values()
                     if (not args.only or r.name in args.only) and r.name not in args.skip),
                    key=lambda r: (r.order, r.name))
    with tempfile.TemporaryDirectory(prefix="caseflow-bench-") as tmp:
        ctx = Context(city=city, meta=meta, workdir=Path(tmp), runs=args.runs,
                      pg_url=args.pg, say=say, only=tuple(args.only))
        for entry in chosen:
            say(f"· {entry.name}…")
            started = time.perf_counter()
            try:
                found = list(entry.fn(ctx))
            except Exception as exc:  # a broken module is reported, the others still run
                traceback.print_exc()
                failures[entry.name] = f"failed: {type(exc).__name__}: {exc}"[:200]
                continue
            rows.extend(found)
            say(f"  {entry.name}: {len(found)} rows in {time.perf_counter() - started:.0f} s")
    load_after = os.getloadavg()
    print()
    print(f"caseflow bench — city data set {meta.get('counts', {}).get('ticket', 0):,} work "
          f"orders; medians of {args.runs} interleaved runs; load average "
          f"{load_before[0]:.1f} → {load_after[0]:.1f} on {os.cpu_count()} cores "
          "(shared machine: figures are noisy)")
    print(render(rows, failures))
    args.results.write_text(json.dumps({
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": platform.platform(), "python": platform.python_version(),
        "cores": os.cpu_count(), "load_average": [load_before[0], load_after[0]],
        "seconds": round(time.perf_counter() - began, 1), "runs": args.runs,
        "city": meta, "rows": [r.as_dict() for r in rows], "failures": failures,
    }, indent=2, ensure_ascii=False))
    print(f"written {args.results} ({time.perf_counter() - began:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
