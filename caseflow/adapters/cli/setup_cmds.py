"""``caseflow init`` and ``caseflow db upgrade``."""

from __future__ import annotations

from typing import Annotated

import typer

from caseflow.adapters.cli.context import CliState


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @app.command("init")
    def init(
        ctx: typer.Context,
        admin: Annotated[str, typer.Option("--admin", help="login of the first admin")],
        name: Annotated[str | None, typer.Option("--name", help="the admin's name")] = None,
    ) -> None:
        """Create or upgrade the schema; add the first admin on an empty database."""
        from caseflow.services import setup

        state: CliState = ctx.obj
        result = setup.init(state.app(check_schema=False, create=True), admin, name)
        where = state.app(check_schema=False).settings.database_url
        if result.revision_before == result.revision_after:
            typer.echo(f"schema {result.revision_after} is current ({where})")
        else:
            before = result.revision_before or "none"
            typer.echo(f"schema {before} → {result.revision_after} ({where})")
        if result.admin:
            typer.echo(f"admin {result.admin.login} added")
        typer.echo(f"workflows: {', '.join(result.workflows)}")

    @db_app.command("upgrade")
    def upgrade(ctx: typer.Context) -> None:
        """Apply pending migrations (data is kept)."""
        from caseflow.services import setup

        state: CliState = ctx.obj
        before, after = setup.upgrade_schema(state.app(check_schema=False))
        typer.echo(f"schema {before or 'none'} → {after}" if before != after
                   else f"schema {after} is current")
