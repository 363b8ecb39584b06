"""The Core tables used by the hot paths are generated from the models and current."""

from __future__ import annotations

from caseflow.persistence import tables_gen


def test_generated_core_tables_match_the_models() -> None:
    assert tables_gen.TARGET.read_text(encoding="utf-8") == tables_gen.render(), (
        "caseflow/persistence/tables.py is stale: run python -m caseflow.persistence.tables_gen"
    )


def test_hot_commands_do_not_load_the_orm() -> None:
    """`ticket list` and `ticket close` answer a person: the ORM's import is not paid."""
    import subprocess
    import sys

    code = ("import sys; import caseflow.services.tickets, caseflow.services.directory, "
            "caseflow.adapters.cli.main; "
            "print(' '.join(m for m in ('sqlmodel', 'pydantic', 'sqlalchemy.orm', "
            "'caseflow.persistence.models', 'transitions') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == ""
