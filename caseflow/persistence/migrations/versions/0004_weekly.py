"""covering open-order indexes for the weekly report

"Overdue at week end" counts every order open now and due before the week's end,
a quarter of a million orders in a city, grouped by team, assignee or (through the
case) project. The three partial indexes on open orders gain the columns that
count reads (``opened_at``, ``status``, and ``case_id`` on the due-time one), so
SQLite answers from the index without visiting each order's row. Their leading
columns are unchanged, so the queue and sweep range scans stay the same.

On SQLite a database that has planner statistics (``sqlite_stat1``) gets them
refreshed for ``ticket``: a recreated index has none, and the planner would then
misjudge it against indexes that do.

Revision ID: 0004_weekly
Revises: 0003_reports
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_weekly"
down_revision = "0003_reports"
branch_labels = None
depends_on = None

OPEN = "status IN ('open', 'in_progress')"
BEFORE = {
    "ix_ticket_assignee_open": ["assignee_id", "due_at"],
    "ix_ticket_team_open": ["team_id", "due_at"],
    "ix_ticket_open_due": ["due_at"],
}
AFTER = {
    "ix_ticket_assignee_open": ["assignee_id", "due_at", "opened_at", "status"],
    "ix_ticket_team_open": ["team_id", "due_at", "opened_at", "status"],
    "ix_ticket_open_due": ["due_at", "opened_at", "status", "case_id"],
}


def _recreate(indexes: dict[str, list[str]]) -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name, columns in indexes.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False,
                                  sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        bind.exec_driver_sql("ANALYZE ticket")


def upgrade() -> None:
    _recreate(AFTER)


def downgrade() -> None:
    _recreate(BEFORE)
