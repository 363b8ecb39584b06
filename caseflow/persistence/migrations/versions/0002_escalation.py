"""sweep watermark for the escalation sweep

Revision ID: 0002_escalation
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_escalation'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sweep_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_as_of', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_id', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('swept_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sweeps', sa.Integer(), nullable=False, server_default='0'),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('sweep_state')
