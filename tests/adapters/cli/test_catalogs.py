"""The committed gettext catalogs match their sources."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path

from caseflow.adapters.cli import catalogs, i18n

ROOT = Path(__file__).resolve().parents[3]


def test_compiled_catalogs_are_up_to_date() -> None:
    """The shipped .mo says what its .po says: the same ids, the same translations.

    Messages are compared, not bytes: the .mo header names the babel version that
    wrote it, so byte equality would fail on any machine with another babel."""
    import gettext

    assert catalogs.po_files(), "no .po files found"
    for po in catalogs.po_files():
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} missing: run python -m caseflow.adapters.cli.catalogs"
        with mo.open("rb") as shipped_file:
            shipped = gettext.GNUTranslations(shipped_file)._catalog  # type: ignore[attr-defined]
        expected = gettext.GNUTranslations(BytesIO(catalogs.compiled(po)))._catalog  # type: ignore[attr-defined]
        shipped = {k: v for k, v in shipped.items() if k != ""}
        expected = {k: v for k, v in expected.items() if k != ""}
        assert shipped == expected, \
            f"{mo} is stale: run python -m caseflow.adapters.cli.catalogs"


def test_every_ui_string_is_translated() -> None:
    wanted = {(m.id, m.context) for m in catalogs.extract() if m.id}
    for po in catalogs.po_files():
        catalog = catalogs.read(po)
        found = {key: catalog.get(*key) for key in wanted}
        missing = [key for key, m in found.items()
                   if m is None or not m.string
                   or (isinstance(m.string, tuple) and not all(m.string))]
        assert not missing, f"{po.parent.parent.name}: untranslated {missing[:5]}"


def test_language_resolution() -> None:
    assert i18n.resolve("zh_CN.UTF-8") == "zh_CN"
    assert i18n.resolve("zh-cn") == "zh_CN"
    assert i18n.resolve("zh") == "zh_CN"
    assert i18n.resolve("fr_FR.UTF-8") == "en"
    assert i18n.resolve("C") == "en"


def test_shell_completion_script() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from caseflow.adapters.cli.main import main; "
                               "sys.exit(main(sys.argv[1:]))", "--show-completion", "bash"],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                                      "PATH": "/usr/bin:/bin",
                                                      "SHELL": "/bin/bash"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "complete" in result.stdout and "_CASEFLOW_COMPLETE" in result.stdout
