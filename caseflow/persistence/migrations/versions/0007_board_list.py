"""the clear-to-zero list as the board reads it, at city scale

A city's list holds tens of thousands of items. The board shows a page of twenty,
highest level first, then oldest, and "还剩 N 项" with a count per team. Two partial
indexes over what is left (``status != 'signed_off'``) answer both without reading
the list: one in the page's order (a page is an index range scan that stops at
twenty), one on the team (the counts come from the index alone).

Revision ID: 0007_board_list
Revises: 0006_evidence
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_board_list"
down_revision = "0006_evidence"
branch_labels = None
depends_on = None

LEFT = "status != 'signed_off'"


def upgrade() -> None:
    op.create_index("ix_entry_left_order", "clear_list_entry",
                    [sa.text("level DESC"), "entered_at", "id"],
                    sqlite_where=sa.text(LEFT), postgresql_where=sa.text(LEFT))
    op.create_index("ix_entry_left_team", "clear_list_entry", ["team_id", "level"],
                    sqlite_where=sa.text(LEFT), postgresql_where=sa.text(LEFT))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        bind.exec_driver_sql("ANALYZE clear_list_entry")  # the new indexes need statistics


def downgrade() -> None:
    op.drop_index("ix_entry_left_team", "clear_list_entry")
    op.drop_index("ix_entry_left_order", "clear_list_entry")
