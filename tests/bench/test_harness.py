"""The bench's rows say what they measured: median, ratio to the floor, pass mark; and
every module in bench/ registers its rows (a module that fails to import would drop
its figures from `make bench` silently)."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.harness import REGISTRY, Row, floor_argv


def test_ratio_and_pass_mark() -> None:
    row = Row("x", "ticket list --mine", samples=[0.30, 0.25, 0.40],
              floor=[0.05, 0.04, 0.06], target_ratio=8)
    assert row.median == 0.30 and row.floor_median == 0.05
    assert round(row.ratio or 0, 6) == 6.0 and row.passed is True
    slow = Row("y", "clearlist --json", samples=[3.5], target_s=3.0)
    assert slow.ratio is None and slow.passed is False
    both = Row("z", "sweep", samples=[1.0], floor=[0.05], target_ratio=12, target_s=2.0)
    assert both.passed is False  # 20× the floor, though within 2 s
    assert Row("n", "no target", samples=[1.0]).passed is None
    assert both.as_dict()["ratio"] == 20.0


def test_every_bench_module_registers() -> None:
    import bench.__main__ as runner

    runner.discover()
    assert {"commands", "taskwarrior", "postgresql", "inprocess", "board"} <= set(REGISTRY)


def test_the_floor_prints_the_rows_of_the_same_query(tmp_path: Path) -> None:
    import sqlite3
    import subprocess

    db = tmp_path / "f.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (a, b)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, "甲"), (2, "乙")])
    out = subprocess.run(floor_argv(db, "SELECT a, b FROM t WHERE a >= ? ORDER BY a", "1"),
                         capture_output=True, text=True, check=True).stdout
    assert out == "1\t甲\n2\t乙\n"
    assert sys.executable in floor_argv(db, "SELECT 1")
