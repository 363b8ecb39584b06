"""Creating and upgrading a caseflow database."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import select

from caseflow.errors import Refused
from caseflow.persistence import migrate
from caseflow.persistence.models import User
from caseflow.services import directory
from caseflow.services.app import App
from caseflow.services.views import UserView


@dataclass(frozen=True)
class InitResult:
    revision_before: str | None
    revision_after: str
    admin: UserView | None
    workflows: list[str]


def upgrade_schema(app: App) -> tuple[str | None, str]:
    """Apply pending migrations; returns (revision before, revision after)."""
    before = migrate.current_revision(app.engine)
    migrate.upgrade(app.engine)
    after = migrate.current_revision(app.engine)
    assert after is not None
    return before, after


def init(app: App, admin_login: str, admin_name: str | None = None) -> InitResult:
    """Create or upgrade the schema, validate the workflows, and add the first admin
    to an empty database (an existing admin of that login is left as it is)."""
    # everything that can refuse is checked before the database is touched (or created)
    directory.check_user_fields(admin_login, admin_name or admin_login, "admin", None)
    workflows = sorted(app.workflows.current())  # a bad definition stops init here
    before, after = upgrade_schema(app)
    with app.uow(readonly=True) as uow:
        users = uow.session.exec(select(sa.func.count(User.id))).one()
        existing_role = uow.session.exec(
            select(User.role).where(User.login == admin_login)).first()
    admin = None
    if users == 0:
        admin = directory.add_user(app, None, admin_login, admin_name or admin_login, "admin")
    elif existing_role != "admin":
        raise Refused(f"the database has users already and {admin_login!r} is not an admin "
                      "among them; schema upgraded, nobody added")
    return InitResult(before, after, admin, workflows)
