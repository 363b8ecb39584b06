"""``caseflow tui``: the keyboard-driven screen for queues and the board."""

from __future__ import annotations

import typer

from caseflow.adapters.cli.context import CliState


def register(app: typer.Typer) -> None:
    @app.command("tui")
    def tui(ctx: typer.Context) -> None:
        """Work through your queue (members, leads) or the clear-to-zero board
        (supervisors) by key; ? lists the keys."""
        from caseflow.adapters.tui.app import CaseflowTui
        from caseflow.adapters.tui.source import LocalSource

        state: CliState = ctx.obj
        source = LocalSource(state.app(), state.actor())
        CaseflowTui(source, lang=state.lang).run()
