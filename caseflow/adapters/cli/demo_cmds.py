"""``caseflow demo``: a town at work in under a minute, in a fresh database."""

from __future__ import annotations

from typing import Annotated

import typer

from caseflow.adapters.cli.context import CliState


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        ctx: typer.Context,
        town: Annotated[str, typer.Option("--town", help="shenwan, xiaolan or tongxiang")]
        = "shenwan",
        weeks: Annotated[int, typer.Option("--weeks", min=1, max=52,
                                           help="weeks of work to simulate")] = 8,
        seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same town)")]
        = 2026,
        scale: Annotated[str, typer.Option("--scale", help="town (simulated through the "
                                           "services) or city (bulk data for benchmarks)")]
        = "town",
        db: Annotated[str | None, typer.Option("--db", help="write the demo here instead of "
                                               "a fresh file in the cache directory")] = None,
    ) -> None:
        """Build a fresh demo database and show a town's work (or, with --scale city,
        the city-scale data set used by the benchmarks)."""
        import time

        from rich.console import Console

        from caseflow.errors import InvalidInput

        state: CliState = ctx.obj
        url = db or state.database_url
        console = Console()
        began = time.perf_counter()
        if scale == "city":
            from caseflow.adapters.demo import city

            target = url or city.default_database_url()
            report = city.generate(target, seed=seed, progress=console.print)
            console.print(report.summary())
            return
        if scale != "town":
            raise InvalidInput(f"--scale {scale!r} must be town or city")
        from caseflow.adapters.demo import render, run

        target = url or run.default_database_url(town)
        from caseflow.adapters.cli.i18n import ngettext

        lang = state.lang
        doing = ngettext("building {town} and simulating {weeks} week…",
                         "building {town} and simulating {weeks} weeks…", weeks).format(
            town=town, weeks=weeks)
        with console.status(doing):
            result = run.build_and_simulate(target, town, weeks, seed)
        render.show(result, console, elapsed=time.perf_counter() - began, lang=lang)
