"""indexes for the supervisor reports

The weekly report counts one week of ``ticket.open`` / ``ticket.close`` events and
the progress report one year of stage transitions: (action, at) turns both into
index range scans. ``ticket.closed_at`` finds the orders still open at a past
week's end (open now, or closed after it) without reading every closed order.

Revision ID: 0003_reports
Revises: 0002_escalation
"""

from alembic import op

revision = "0003_reports"
down_revision = "0002_escalation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_action_at", ["action", "at"], unique=False)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_closed_at", ["closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_closed_at")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_action_at")
