"""The CLI speaks its user's language and says so when it cannot."""

from __future__ import annotations

from typing import Any

import pytest

from caseflow.services import directory
from caseflow.services.app import App


def test_an_unknown_lang_option_is_refused_naming_the_languages(cli: Any) -> None:
    result = cli("--lang", "fr", "team", "list")
    assert result.code == 2 and result.out == ""
    assert "“fr”" in result.err and "zh_CN" in result.err


def test_an_unknown_caseflow_lang_is_warned_about_once(cli: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_LANG", "fr")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    result = cli("team", "list")
    assert result.code == 0
    assert result.err.count("CASEFLOW_LANG=fr") == 1
    assert "警告" in result.err  # then the town's language: Chinese by default


def test_a_users_own_language_is_used(cli: Any, app: App, town: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    directory.add_user(app, town.admin, "liu", "刘七", "member", team="negotiation",
                       lang="zh_CN")
    monkeypatch.delenv("CASEFLOW_LANG")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    refused = cli("ticket", "show", "99999", user="liu")
    assert refused.code == 1 and "没有编号为 #99999 的工单" in refused.err
    explicit = cli("--lang", "en", "ticket", "show", "99999", user="liu")
    assert "no work order #99999" in explicit.err


def test_user_add_refuses_a_language_without_catalog(cli: Any) -> None:
    result = cli("user", "add", "liu", "--name", "刘七", "--role", "supervisor",
                 "--lang", "fr")
    assert result.code == 1 and "“fr”" in result.err and "zh_CN" in result.err
