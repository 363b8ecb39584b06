"""``caseflow --version``: what is installed, without touching a database."""

from __future__ import annotations

import importlib.metadata

import pytest

from caseflow.adapters.cli.main import main


def test_version_is_the_installed_distribution(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == f"caseflow {importlib.metadata.version('caseflow')}\n"
