"""an order may come back on the clear-to-zero list: one live entry per order

A work order reopened after its entry was signed off, and overdue, goes back on the
list as a new entry; the signed-off entry stays as it was, so the weeks that counted
it never change. The unique constraint on ``ticket_id`` becomes a partial unique
index over the live entries (open or awaiting sign-off), plus a plain index for
looking an order's entries up.

Revision ID: 0008_entry_episodes
Revises: 0007_board_list
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_entry_episodes"
down_revision = "0007_board_list"
branch_labels = None
depends_on = None

LIVE = "status != 'signed_off'"
UQ = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("clear_list_entry_ticket_id_key", "clear_list_entry", type_="unique")
    else:
        # SQLite drops a table constraint only by rebuilding the table; its indexes are
        # put back exactly as they were (batch mode would lose expression indexes).
        kept = bind.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'clear_list_entry' AND sql IS NOT NULL").all()
        with op.batch_alter_table("clear_list_entry", schema=None,
                                  naming_convention=UQ) as batch_op:
            batch_op.drop_constraint("uq_clear_list_entry_ticket_id", type_="unique")
        for name, sql in kept:
            bind.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
            bind.exec_driver_sql(str(sql))
    op.create_index("ix_entry_ticket", "clear_list_entry", ["ticket_id"], unique=False)
    op.create_index("ux_entry_live_ticket", "clear_list_entry", ["ticket_id"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    with op.batch_alter_table("clear_list_entry", schema=None) as batch_op:
        batch_op.drop_index("ux_entry_live_ticket")
        batch_op.drop_index("ix_entry_ticket")
        batch_op.create_unique_constraint("clear_list_entry_ticket_id_key", ["ticket_id"])
