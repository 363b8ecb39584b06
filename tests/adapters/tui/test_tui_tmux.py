"""``caseflow tui`` end to end in a real terminal: tmux runs the command, keys are
typed with ``send-keys`` and the screen is read back with ``capture-pane``.

tmux is a system package that ``.ci/run`` installs; without it this test fails
(it does not skip), since then nobody has seen the screen in a terminal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from caseflow.services import clearlist, tickets
from caseflow.services.app import App
from tests.adapters.tui.test_tui import Scene, _overdue_board
from tests.adapters.tui.test_tui import scene as scene  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[3]
RUNNER = "import sys; from caseflow.adapters.cli.main import main; sys.exit(main(sys.argv[1:]))"


class Tmux:
    def __init__(self, name: str, socket: Path) -> None:
        assert shutil.which("tmux"), "tmux is not installed: apt-get install tmux (.ci/run does)"
        self.name = name
        self.socket = str(socket)

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True,
                              capture_output=True, text=True, timeout=30).stdout

    def start(self, command: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        exports = " ".join(f"{k}={_quote(v)}" for k, v in env.items())
        line = f"env {exports} " + " ".join(_quote(c) for c in command)
        self.run("new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]),
                 line)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.name, "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            seen = self.screen()
            if text in seen:
                return seen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{seen}")

    def stop(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True,
                       timeout=30)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _env(tmp_path: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(ROOT), "CASEFLOW_LANG": "zh_CN", "TERM": "xterm-256color",
            "CASEFLOW_FAKE_NOW": "2026-03-10T09:00+08:00", "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def test_member_closes_an_order_in_a_real_terminal(scene: Scene, tmp_path: Path) -> None:
    app: App = scene.app
    tmux = Tmux("member", tmp_path / "tmux.sock")
    env = _env(tmp_path) | {"CASEFLOW_FAKE_NOW": "2026-03-02T09:00+08:00"}
    tmux.start([sys.executable, "-c", RUNNER, "--db", app.settings.database_url,
                "--user", "zhang", "tui"], env, (80, 24))
    try:
        screen = tmux.wait_for("我的工单")
        assert "补交土地权属材料" in screen and "神湾镇[/x]测试厂" in screen
        assert "还剩1个工作日" in screen
        tmux.keys("c")
        tmux.wait_for("做了什么")
        tmux.type("已补齐材料")
        tmux.keys("Enter")
        screen = tmux.wait_for("已办结")
        assert "显示 4 条" in screen
        tmux.keys("q")
    finally:
        tmux.stop()
    assert tickets.show_ticket(app, scene.orders[0]).close_note == "已补齐材料"


def test_supervisor_signs_off_in_a_real_terminal(scene: Scene, tmp_path: Path) -> None:
    awaiting = _overdue_board(scene)
    left = clearlist.list_entries(scene.app).left
    tmux = Tmux("board", tmp_path / "tmux.sock")
    tmux.start([sys.executable, "-c", RUNNER, "--db", scene.app.settings.database_url,
                "--user", "sup", "tui"], _env(tmp_path), (120, 40))
    try:
        screen = tmux.wait_for(f"还剩 {left} 项")
        assert "待销号" in screen
        tmux.keys("o")  # the first row: negotiation's highest level, awaiting sign-off
        tmux.wait_for("核实了什么")
        tmux.type("现场核实无误")
        tmux.keys("Enter")
        tmux.wait_for(f"还剩 {left - 1} 项")
        tmux.keys("q")
    finally:
        tmux.stop()
    signed = clearlist.show_entry(scene.app, awaiting[0])
    assert signed.status == "signed_off" and signed.note == "现场核实无误"
