"""The sweep benchmark builds its database and measures what it says, at a small scale."""

from __future__ import annotations

from pathlib import Path

from bench.sweep_bench import measure, report


def test_measure_small(tmp_path: Path) -> None:
    figures = measure(f"sqlite:///{tmp_path / 'bench.db'}", orders=20_000, newly_overdue=500)
    assert figures["orders"] == 20_000
    assert figures["newly_overdue"] == 500
    assert figures["alerts_queued"] > 500  # assignee or lead, plus supervisors for raised ones
    assert "500 newly overdue" in report(figures)
