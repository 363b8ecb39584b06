"""``caseflow export --output FILE`` and ``caseflow import-dump FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caseflow.adapters.cli.context import CliState


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        ctx: typer.Context,
        output: Annotated[Path, typer.Option("--output", "-o", help="the JSON file to write")],
    ) -> None:
        """Write the whole database (every table, audit events included) as versioned JSON."""
        from caseflow.services import dump

        state: CliState = ctx.obj
        summary = dump.export_to_file(state.app(), state.actor(), output)
        typer.echo(f"exported {summary.total:,} rows of schema {summary.schema_revision} "
                   f"to {output}")

    @app.command("import-dump")
    def import_dump(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="a file written by `caseflow export`")],
    ) -> None:
        """Restore a dump into an EMPTY database, in one transaction (all or nothing)."""
        from caseflow.persistence.db import sqlite_file
        from caseflow.services import dump

        state: CliState = ctx.obj
        app_ = state.app(check_schema=False, create=True)
        target = sqlite_file(app_.settings.database_url)
        fresh = target is not None and not target.exists()
        try:
            summary = dump.import_dump(app_, file)
        except BaseException:
            if fresh and target is not None:  # refused: leave no database file behind
                app_.engine.dispose()
                for leftover in (target, target.with_name(target.name + "-wal"),
                                 target.with_name(target.name + "-shm")):
                    leftover.unlink(missing_ok=True)
            raise
        typer.echo(f"restored {summary.total:,} rows of schema {summary.schema_revision} "
                   f"from {file}")
