"""One catalog system: messages carry ids and parameters and are rendered in the
reader's language; nothing user-visible bypasses the catalogs."""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

import pytest

from caseflow import i18n
from caseflow.adapters.cli import catalogs
from caseflow.config import load_settings
from caseflow.errors import InvalidInput, NotFound
from caseflow.i18n import Bilingual, Choice, Joined, text

# Messages still built with f-strings, per module, while they are converted (issue
# 11). A count may only go down: a new f-string refusal anywhere fails this test.
NOT_YET_CONVERTED = {
    "adapters/cli/calendar_cmds.py": 1, "adapters/cli/case_cmds.py": 1,
    "adapters/cli/case_import.py": 1, "adapters/cli/demo_cmds.py": 1,
    "adapters/cli/report_cmds.py": 1, "adapters/cli/ticket_cmds.py": 1,
    "adapters/demo/run.py": 2,     "adapters/exporters/htmlpage.py": 2, "adapters/exporters/table.py": 9,
    "adapters/importers/case_rows.py": 13, "services/alert_settings.py": 12,
    "adapters/scheduler.py": 3, "domain/calendar.py": 9, "domain/credit_code.py": 5,
    "domain/durations.py": 4, "domain/workflow.py": 2, "persistence/db.py": 1,
    "persistence/migrate.py": 1, "persistence/workflow_files.py": 3,
    "services/alerts.py": 1, "services/cases.py": 7, "services/clearlist.py": 5,
    "services/directory.py": 10, "services/dump.py": 11, "services/permissions.py": 5,
    "services/projects.py": 4, "domain/burndown.py": 2,
    "services/reports/burndown.py": 2, "services/reports/progress.py": 3,
    "services/reports/weekly.py": 2, "services/reports/weeks.py": 1, "services/setup.py": 1,
    "services/tickets.py": 20,
}


def test_no_new_message_bypasses_the_catalogs() -> None:
    """An error or ``_()`` built from an f-string cannot be translated."""
    found = Counter(b.path for b in catalogs.bypasses())
    grown = {path: (n, NOT_YET_CONVERTED.get(path, 0)) for path, n in found.items()
             if n > NOT_YET_CONVERTED.get(path, 0)}
    assert not grown, (
        "messages built at run time (write a template with {placeholders} and pass the "
        f"values as parameters, see docs/i18n.md): {grown}; "
        f"{[str(b) for b in catalogs.bypasses() if b.path in grown]}")


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_translations_keep_the_placeholders() -> None:
    """A translation that drops or renames ``{name}`` would print the wrong thing."""
    for po in catalogs.po_files():
        for m in catalogs.read(po):
            if not m.id or not m.string or not m.pluralizable and "{" not in m.id:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            wanted = set().union(*(_fields(i) for i in ids))
            for s in strings:
                assert _fields(s) <= wanted and (_fields(s) or not wanted), \
                    f"{po.parent.parent.name}: {m.id!r} → {s!r}"


def test_the_extractor_reads_services_domain_and_adapters() -> None:
    paths = {f.path.split("/")[0] for f in catalogs.scan()[0]}
    assert {"services", "domain", "adapters"} <= paths


def test_an_error_renders_in_the_language_asked() -> None:
    error = NotFound("no work order #{id}", id=7, hint="see `caseflow ticket list`")
    assert error.render("en") == "no work order #7"
    assert error.render("zh_CN") == "没有编号为 #7 的工单"
    assert error.as_dict("zh_CN") == {"error": "没有编号为 #7 的工单",
                                      "hint": "见 `caseflow ticket list`"}
    assert str(error) == "no work order #7 (see `caseflow ticket list`)"


def test_parameters_render_in_the_same_language() -> None:
    stage = Bilingual("Negotiate", "谈")
    msg = text("nothing moves a case on from stage {stage}", stage=stage)
    assert msg.render("en") == "nothing moves a case on from stage Negotiate"
    assert msg.render("zh_CN") == "「谈」阶段没有可推进的下一步"
    choices = [Choice("hold", Bilingual("Hold", "暂缓")), Choice("withdraw", None)]
    assert i18n.render_value(choices, "zh_CN") == "暂缓（hold）、withdraw"
    assert i18n.render_value(choices, "en") == "hold, withdraw"
    assert Joined(["a", "b"], "; ").render("zh_CN") == "a；b"


def test_user_text_in_a_parameter_is_never_a_template() -> None:
    error = InvalidInput("{path}: not valid TOML: {problem}", path="/x/{y}", problem="{0}")
    assert error.render("zh_CN") == "/x/{y}：不是有效的 TOML：{0}"


def test_a_bad_translation_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def gettext(self, message: str) -> str:
            return "坏了 {nope}"

    monkeypatch.setattr(i18n, "translation", lambda lang: Broken())
    assert i18n.render("no work order #{id}", {"id": 3}, "zh_CN") == "no work order #3"


def test_the_town_language_defaults_to_chinese(tmp_path: Any) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    settings = load_settings(env)
    assert settings.language == "zh_CN"
    assert settings.language_of(None) == "zh_CN" and settings.language_of("en") == "en"
    config = tmp_path / "caseflow" / "config.toml"
    config.parent.mkdir()
    config.write_text('language = "en"\n', encoding="utf-8")
    assert load_settings(env).language == "en"
    config.write_text('[town]\nlanguage = "fr"\n', encoding="utf-8")
    with pytest.raises(Exception, match="no catalog for language “fr”"):
        load_settings(env)


def test_a_config_directory_is_not_reported_missing(tmp_path: Any) -> None:
    with pytest.raises(Exception, match="is a directory"):
        load_settings({"CASEFLOW_CONFIG": str(tmp_path)})


def test_catalog_loading_is_lazy() -> None:
    """Importing the catalog system reads no catalog: a command pays only when it
    prints a translated word."""
    import subprocess
    import sys

    code = ("import caseflow.i18n as i, caseflow.errors; "
            "print(i.translation.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "0"


def test_messages_name_no_python_repr() -> None:
    """``{x!r}`` prints Python quotes (``'gongai'``) into a sentence a cadre reads."""
    offenders = [f"{f.path}:{f.line}" for f in catalogs.scan()[0]
                 if isinstance(f.message, str) and re.search(r"\{\w+!r\}", f.message)]
    assert not offenders
