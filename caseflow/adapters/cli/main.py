"""``caseflow``: the root command, global options and error handling.

Exit codes: 0 success; 1 a refused or impossible request (one line on stderr);
2 a usage error. A traceback only with ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, fail, fail_unexpected, route_warnings
from caseflow.errors import CaseflowError

app = typer.Typer(
    name="caseflow",
    help="Work orders and lifecycles for the 工改 task forces (谈、移、拆、建、引).",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
)


UserOpt = Annotated[
    str | None, typer.Option("--user", help="act as LOGIN (else CASEFLOW_USER, else the OS login)")
]
DbOpt = Annotated[
    str | None, typer.Option("--db", help="database URL (else CASEFLOW_DATABASE_URL, config file)")
]
LangOpt = Annotated[
    str | None, typer.Option("--lang", help="en or zh_CN (else CASEFLOW_LANG or the locale)")
]


def _version(wanted: bool) -> None:
    if wanted:
        from caseflow import __version__

        typer.echo(f"caseflow {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    user: UserOpt = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version, expose_value=False,
        help="print caseflow's version and exit")] = False,
) -> None:
    ctx.obj = state = CliState(user=user, database_url=db, debug=debug, lang_override=lang)
    from caseflow.adapters.cli import i18n

    i18n.use(state.lang)
    ctx.call_on_close(state.close)
    route_warnings()


# Each command group lives in its own module with a ``register(app)``; add new ones here.
_GROUPS = (
    "setup_cmds", "workflow_cmds", "directory_cmds", "project_cmds", "case_cmds",
    "ticket_cmds", "calendar_cmds", "escalation_cmds", "demo_cmds", "dump_cmds",
    "report_cmds", "tui_cmds",
)


def _register() -> None:
    for name in _GROUPS:
        importlib.import_module(f"caseflow.adapters.cli.{name}").register(app)


_register()


_VALUED = ("--user", "--db", "--lang")


def _group_word(argv: list[str]) -> str | None:
    """The command group named on the command line (``ticket`` in ``--user x ticket list``)."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _only_group(argv: list[str]) -> list[Any] | None:
    """Build only the group that runs: typer turns every group into click objects on
    each call (~30 ms for all of them), a cost a person waiting should not pay.
    Help and shell completion still see every group. Returns what to restore."""
    if "--help" in argv or any(k.startswith("_CASEFLOW_COMPLETE") for k in os.environ):
        return None
    word = _group_word(argv)
    groups = app.registered_groups
    if word is None or not any(g.name == word for g in groups):
        return None
    app.registered_groups = [g for g in groups if g.name == word]
    return groups


def main(argv: list[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    saved = _only_group(args)
    try:
        app(args=args, prog_name="caseflow", standalone_mode=True)
    except CaseflowError as error:
        if debug:
            raise
        fail(error)
        return error.exit_code
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        sys.stderr.write("caseflow: interrupted; nothing half-written was kept\n")
        return 130
    except Exception as error:  # a bug or a database that cannot be reached
        if debug:
            raise
        return fail_unexpected(error)
    finally:
        if saved is not None:
            app.registered_groups = saved
    return 0


def run() -> None:
    """The console script. Once the command is done (output flushed, database closed,
    logs written) the process ends at once: tearing down the interpreter's hundreds of
    modules would add ~0.15 s to every command for nothing."""
    code = main()
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # python -m caseflow.adapters.cli.main ...
    run()
