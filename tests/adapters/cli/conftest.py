"""Drive the real ``caseflow`` command in-process against the ``town`` database.

The command builds its own App; ``CASEFLOW_FAKE_NOW`` pins its clock to the
fixtures' Monday 2 March 2026, 09:00 Shanghai, so deadlines are predictable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from caseflow.adapters.cli.main import main
from caseflow.services.app import App


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, app: App, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = app.settings.database_url
        self.capsys = capsys

    def __call__(self, *args: str, user: str = "root") -> Result:
        self.capsys.readouterr()
        code = main(["--db", self.url, "--user", user, *args])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def cli(app: App, town: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Cli:
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-02T09:00+08:00")
    monkeypatch.setenv("CASEFLOW_LANG", "en")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in ("CASEFLOW_CONFIG", "CASEFLOW_DATABASE_URL", "CASEFLOW_HOLIDAYS",
                 "CASEFLOW_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return Cli(app, capsys)


from tests.services.test_reports import week11  # noqa: E402, F401  (shared fortnight of March 2026)
