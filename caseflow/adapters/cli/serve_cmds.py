"""``caseflow serve``: the town server (see ``caseflow.adapters.server``)."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8080,
        workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                             help="worker processes")] = 1,
        forwarded_allow_ips: Annotated[str | None, typer.Option(
            "--forwarded-allow-ips", help="proxies whose X-Forwarded-For is trusted "
                                          "(default 127.0.0.1)")] = None,
    ) -> None:
        """Serve the JSON API (/api/v1) on the configured database until SIGTERM."""
        from caseflow.adapters.server.run import serve as run

        state = ctx.obj
        run(host, port, workers, database_url=state.database_url,
            forwarded_allow_ips=forwarded_allow_ips)
