"""``caseflow user password|revoke`` and ``caseflow passwd`` through the command."""

from __future__ import annotations

import io
from typing import Any

import pytest

from caseflow.services import accounts
from caseflow.services.app import App

PASSWORD = "定溪-correct-horse-7"


def _stdin(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))


def test_admin_sets_a_password_from_stdin_and_it_signs_in(
        cli: Any, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, PASSWORD)
    result = cli("user", "password", "zhang", "--password-stdin", "--json")
    assert result.code == 0, result.err
    assert result.json() == {"login": "zhang", "password_set": True}
    assert PASSWORD not in result.out + result.err
    assert accounts.authenticate(app, "zhang", PASSWORD, address="cli").login == "zhang"


def test_members_cannot_set_passwords_and_nothing_changes(
        cli: Any, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, PASSWORD)
    result = cli("user", "password", "wang", "--password-stdin", user="zhang")
    assert result.code == 1 and "may not set passwords" in result.err
    assert PASSWORD not in result.err


def test_without_a_terminal_or_stdin_flag_it_is_a_usage_error(
        cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch)
    result = cli("user", "password", "zhang")
    assert result.code == 2 and "--password-stdin" in result.err


def test_weak_password_is_one_line_and_exit_1(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "short")
    result = cli("user", "password", "zhang", "--password-stdin")
    assert result.code == 1 and "at least 8 characters" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_passwd_changes_your_own(cli: Any, app: App, town: Any,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    _stdin(monkeypatch, "wrong-password", "新的密码-2026-spring")
    result = cli("passwd", "--password-stdin", user="zhang")
    assert result.code == 1 and "current password is wrong" in result.err
    _stdin(monkeypatch, PASSWORD, "新的密码-2026-spring")
    result = cli("passwd", "--password-stdin", user="zhang")
    assert result.code == 0 and "password changed" in result.out
    assert accounts.authenticate(app, "zhang", "新的密码-2026-spring", address="x")


def test_user_revoke_signs_out_everywhere(cli: Any, app: App, town: Any) -> None:
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    issued = [accounts.issue_token(app, accounts.authenticate(app, "zhang", PASSWORD,
                                                              address="a")) for _ in range(2)]
    result = cli("user", "revoke", "zhang")
    assert result.code == 0 and "revoked 2 token(s) of zhang" in result.out
    for token in issued:
        with pytest.raises(accounts.NotSignedIn):
            accounts.actor_for_token(app, token.token)
    assert cli("user", "revoke", "zhang", user="lead1").code == 1
