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
        from caseflow.services import dump

        state: CliState = ctx.obj
        summary = dump.import_dump(state.app(check_schema=False), file)
        typer.echo(f"restored {summary.total:,} rows of schema {summary.schema_revision} "
                   f"from {file}")
