"""The screen's benchmark drives both screens and reports what it says, at a small scale."""

from __future__ import annotations

from bench.tui_bench import measure, report
from caseflow.services.app import App
from tests.adapters.tui.test_tui import Scene, _overdue_board
from tests.adapters.tui.test_tui import scene as scene  # noqa: F401  (the fixture)


def test_measure_small(scene: Scene) -> None:
    _overdue_board(scene)
    app: App = scene.app
    figures = measure(app.settings.database_url)
    assert figures["member"] == "zhang" and figures["member_open_orders"] == 3
    assert figures["supervisor"] == "sup"
    assert {"cursor", "close with note", "filter keystroke"} <= set(figures["queue_actions_ms"])
    assert "sign off (or refusal)" in figures["board_actions_ms"]
    assert "queue first screen" in report(figures)
