"""``make demo``'s last words: how to open the phone board on the demo database.

Gives the demo's first supervisor a password (the demo database is throwaway and
local; the password is printed so that anyone trying caseflow can sign in) and
prints the ``caseflow serve`` command, the address and the sign-in. The server runs
with the demo's own clock (``CASEFLOW_FAKE_NOW``, meant for tests and demos), so
the board shows the town as the simulation left it.

    python -m caseflow.adapters.web.demo [--town shenwan]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

DEMO_PASSWORD = "gongai-demo-2026"


def demo_database(town: str) -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("caseflow")) / f"demo-{town}.db"


def main(argv: list[str] | None = None) -> int:
    from caseflow.adapters.cli.context import CliState
    from caseflow.adapters.cli.i18n import _, use
    from caseflow.persistence import tables as t
    from caseflow.services import accounts
    from caseflow.services.app import App
    from caseflow.services.directory import resolve_actor

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--town", default="shenwan")
    args = parser.parse_args(argv)
    use(CliState().lang)
    path = demo_database(args.town)
    if not path.exists():
        print(_("no demo database at {path}: run `caseflow demo` first").format(path=path))
        return 1
    url = f"sqlite:///{path}"
    app = App.from_settings(database_url=url)
    with app.engine.connect() as conn:
        supervisor = conn.execute(
            sa.select(t.app_user.c.login, t.app_user.c.name)
            .where(t.app_user.c.role == "supervisor", t.app_user.c.active.is_(True))
            .order_by(t.app_user.c.id)).first()
        admin = conn.execute(sa.select(t.app_user.c.login).where(t.app_user.c.role == "admin")
                             .order_by(t.app_user.c.id)).scalar()
        last = conn.execute(sa.select(sa.func.max(t.audit_event.c.at))).scalar()
    if supervisor is None or admin is None or last is None:
        print(_("the demo database has no supervisor to sign in as"))
        return 1
    accounts.set_password(app, resolve_actor(app, admin), supervisor.login, DEMO_PASSWORD)
    app.engine.dispose()
    now = last.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    print()
    print(_("The phone board (clear-to-zero list, sign-off, ranking) on this demo town:"))
    print(f"  CASEFLOW_FAKE_NOW={now} .venv/bin/caseflow --db {url} serve --port 8080")
    print(_("  then open http://127.0.0.1:8080/ (on a phone: the machine's address, "
            "with --host 0.0.0.0)"))
    print(_("  and sign in as supervisor {name}: login {login}, password {password}").format(
        name=supervisor.name, login=supervisor.login, password=DEMO_PASSWORD))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
