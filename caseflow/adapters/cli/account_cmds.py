"""``caseflow user password|revoke`` (admins) and ``caseflow passwd`` (anybody).

Passwords are read from the terminal without echo, or as lines on standard input
with ``--password-stdin`` (for scripts); never from an option, where they would sit
in the shell history and in ``ps``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from caseflow.adapters.cli.context import CliState, UsageProblem, print_json
from caseflow.adapters.cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
StdinOpt = Annotated[bool, typer.Option(
    "--password-stdin", help="read the password(s) from standard input, one a line")]


def read_secret(prompt: str, *, from_stdin: bool, confirm: bool = False) -> str:
    """One secret: the next line of standard input, or typed twice without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UsageProblem(_("--password-stdin: standard input ended before the password"))
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageProblem(_("no terminal to ask for the password on: pass --password-stdin "
                             "and give it on standard input"))
    import getpass

    secret = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(_("Again") + ": ") != secret:
        raise UsageProblem(_("the two passwords differ; nothing was changed"))
    return secret


def _user_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "user" and group.typer_instance is not None:
            return group.typer_instance
    raise RuntimeError("account_cmds registers after directory_cmds")  # pragma: no cover


def register(app: typer.Typer) -> None:
    user = _user_group(app)

    @user.command("password")
    def user_password(
        ctx: typer.Context,
        login: Annotated[str, typer.Argument(help="whose password")],
        password_stdin: StdinOpt = False,
        json: JsonOpt = False,
    ) -> None:
        """Set or reset a user's password (admin); signs them out everywhere."""
        state: CliState = ctx.obj
        password = read_secret(_("New password for {login}").format(login=login),
                               from_stdin=password_stdin, confirm=True)
        data = state.call("user.password", login=login, password=password)
        if json:
            print_json(data, state.tz)
        else:
            typer.echo(_("password set for {login}; their tokens are revoked").format(
                login=login))

    @user.command("revoke")
    def user_revoke(
        ctx: typer.Context,
        login: Annotated[str, typer.Argument(help="whose tokens")],
        json: JsonOpt = False,
    ) -> None:
        """Sign a user out everywhere: revoke all their tokens (admin)."""
        state: CliState = ctx.obj
        data = state.call("user.revoke", login=login)
        if json:
            print_json(data, state.tz)
        else:
            typer.echo(_("revoked {n} token(s) of {login}").format(
                n=data["tokens_revoked"], login=login))

    @app.command("passwd")
    def passwd(
        ctx: typer.Context,
        password_stdin: Annotated[bool, typer.Option(
            "--password-stdin", help="read the current and the new password from standard "
                                     "input, one a line")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Change your own password; your other sign-ins are revoked."""
        state: CliState = ctx.obj
        current = read_secret(_("Current password"), from_stdin=password_stdin)
        new = read_secret(_("New password"), from_stdin=password_stdin, confirm=True)
        data = state.call("passwd", current=current, new=new)
        if json:
            print_json(data, state.tz)
        else:
            typer.echo(_("password changed"))

    @app.command("login")
    def login(
        ctx: typer.Context,
        server: Annotated[str | None, typer.Option(
            "--server", help="the town server's URL (else CASEFLOW_SERVER or the config's "
                             "server)")] = None,
        user_login: Annotated[str | None, typer.Option(
            "--user", help="your login (default: asked, or the OS login)")] = None,
        password_stdin: StdinOpt = False,
        json: JsonOpt = False,
    ) -> None:
        """Sign in to a town server; the command then works through it as you."""
        import getpass
        import socket

        from caseflow.adapters.cli import remote

        state: CliState = ctx.obj
        url = remote.normalize_server(server) if server else None
        if url is None:
            configured = remote.active()
            if configured is None:
                raise UsageProblem(_("which server? pass --server URL"))
            url = configured.server
        who = user_login or (typer.prompt(_("Login"), default=getpass.getuser())
                             if sys.stdin.isatty() and not password_stdin
                             else getpass.getuser())
        password = read_secret(_("Password for {login}").format(login=who),
                               from_stdin=password_stdin)
        client = remote.Client(remote.Session(url), state.lang)
        data = client.request("POST", "/auth/token", auth=False, body={
            "login": who, "password": password,
            "label": f"caseflow-cli@{socket.gethostname()}"[:100]})
        path = remote.save(remote.Session(url, data["token"], data["login"], data["token_id"],
                                          data.get("lang")))
        if json:
            print_json({"server": url, "login": data["login"], "name": data["name"],
                        "role": data["role"], "token_id": data["token_id"],
                        "saved_to": str(path)}, state.tz)
        else:
            from caseflow.adapters.cli.render import role_label

            typer.echo(_("signed in to {server} as {login} ({name}, {role})").format(
                server=url, login=data["login"], name=data["name"],
                role=role_label(data["role"])))

    @app.command("logout")
    def logout(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Sign out: the server revokes your token and it is forgotten here."""
        from caseflow.adapters import usecases
        from caseflow.adapters.cli import remote

        state: CliState = ctx.obj
        session = remote.saved()
        if session is None or not session.token:
            raise UsageProblem(_("not signed in to any server"))
        revoked = True
        try:
            remote.Client(session, state.lang).call(usecases.get("logout"), {})
        except remote.RemoteError as error:
            if error.status != 401:  # 401: already revoked (or the user deactivated)
                raise
            revoked = False
        remote.forget()
        if json:
            print_json({"server": session.server, "login": session.login,
                        "revoked": revoked}, state.tz)
        else:
            typer.echo(_("signed out of {server}").format(server=session.server))
