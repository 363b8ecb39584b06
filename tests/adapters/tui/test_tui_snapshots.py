"""What the screen looks like, in Chinese, at 80×24 and 120×40 (SVG snapshots).

Run ``pytest tests/adapters/tui --snapshot-update`` after a deliberate change of
look, and read the report before committing the new pictures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caseflow.adapters.cli import i18n
from caseflow.adapters.tui.app import CaseflowTui
from caseflow.adapters.tui.source import LocalSource
from tests.adapters.tui.test_tui import Scene, _overdue_board
from tests.adapters.tui.test_tui import scene as scene  # noqa: F401  (the fixture)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite only: the pictures are the same on both databases, one set is enough."""
    from tests.conftest import fresh_database

    return fresh_database("sqlite", tmp_path, request)


@pytest.fixture(autouse=True)
def chinese() -> Any:
    i18n.use("zh_CN")
    yield
    i18n.use("en")


SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_member_queue(scene: Scene, snap_compare: Any, size: tuple[int, int]) -> None:
    tui = CaseflowTui(LocalSource(scene.app, scene.town.member), lang="zh_CN")
    assert snap_compare(tui, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_supervisor_board(scene: Scene, snap_compare: Any, size: tuple[int, int]) -> None:
    _overdue_board(scene)
    tui = CaseflowTui(LocalSource(scene.app, scene.town.supervisor), lang="zh_CN")
    assert snap_compare(tui, terminal_size=size)


def test_close_prompt(scene: Scene, snap_compare: Any) -> None:
    tui = CaseflowTui(LocalSource(scene.app, scene.town.member), lang="zh_CN")
    assert snap_compare(tui, terminal_size=(80, 24), press=["down", "c", "已", "整", "改"])
