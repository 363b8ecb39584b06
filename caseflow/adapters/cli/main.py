"""``caseflow``: the root command, global options and error handling.

Exit codes: 0 success; 1 a refused or impossible request (one line on stderr);
2 a usage error. A traceback only with ``--debug``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from caseflow.adapters.cli.context import CliState, fail
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


@app.callback()
def root(
    ctx: typer.Context,
    user: UserOpt = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    ctx.obj = CliState(user=user, database_url=db, debug=debug, lang_override=lang)


def _register() -> None:
    """Each command group lives in its own module; add new groups here."""
    from caseflow.adapters.cli import setup_cmds

    setup_cmds.register(app)
    from caseflow.adapters.cli import report_cmds

    report_cmds.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        app(args=argv, standalone_mode=True)
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
    return 0


def run() -> None:
    sys.exit(main())
