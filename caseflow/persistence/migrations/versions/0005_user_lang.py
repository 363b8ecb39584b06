"""a language per user

Alerts are written in their recipient's language and the CLI speaks the user's:
``app_user.lang`` (``zh_CN``, ``en``...). NULL means the town's ``language`` from
the config, which itself defaults to zh_CN.

Revision ID: 0005_user_lang
Revises: 0004_weekly
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_user_lang"
down_revision = "0004_weekly"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("lang")
