"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 19:21:44.864793
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_case', ['case_id'], unique=False)
        batch_op.create_index('ix_audit_ticket', ['ticket_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('town', sa.String(length=100), nullable=False),
    sa.Column('workflow', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=40), nullable=True),
    sa.Column('area_mu', sa.Float(), nullable=True),
    sa.Column('target_mu', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_town'), ['town'], unique=False)

    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('workflow_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', 'digest', name='uq_workflow_version_digest')
    )
    with op.batch_alter_table('workflow_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_version_name'), ['name'], unique=False)

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('login')
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_team_id'), ['team_id'], unique=False)

    op.create_table('enterprise_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('workflow_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('area_mu', sa.Float(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('contact', sa.String(length=100), nullable=True),
    sa.Column('stage', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('held_from', sa.String(length=64), nullable=True),
    sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.ForeignKeyConstraint(['workflow_version_id'], ['workflow_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enterprise_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_project_stage', ['project_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_case_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_case_project_credit_code', ['project_id', 'credit_code'], unique=True)

    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=64), nullable=True),
    sa.Column('template_key', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('records', sa.String(length=64), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_rule', sa.String(length=16), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['enterprise_case.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_assignee_open', ['assignee_id', 'due_at'], unique=False, sqlite_where=sa.text("status IN ('open', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'in_progress')"))
        batch_op.create_index('ix_ticket_case_stage', ['case_id', 'stage'], unique=False)
        batch_op.create_index('ix_ticket_open_due', ['due_at'], unique=False, sqlite_where=sa.text("status IN ('open', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'in_progress')"))
        batch_op.create_index('ix_ticket_team_open', ['team_id', 'due_at'], unique=False, sqlite_where=sa.text("status IN ('open', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'in_progress')"))

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('dedup_key', sa.String(length=120), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedup_key', 'recipient', 'channel', name='uq_alert_once')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_due', ['next_attempt_at'], unique=False, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.create_index(batch_op.f('ix_alert_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('case_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('fact', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('retracted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['enterprise_case.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'fact', name='uq_case_fact')
    )
    op.create_table('clear_list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('level_raised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_level_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('awaiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_off_by', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id')
    )
    with op.batch_alter_table('clear_list_entry', schema=None) as batch_op:
        batch_op.create_index('ix_entry_next_level', ['next_level_at'], unique=False, sqlite_where=sa.text("status = 'open' AND next_level_at IS NOT NULL"), postgresql_where=sa.text("status = 'open' AND next_level_at IS NOT NULL"))
        batch_op.create_index('ix_entry_open', ['status', 'level'], unique=False, sqlite_where=sa.text("status != 'signed_off'"), postgresql_where=sa.text("status != 'signed_off'"))




def downgrade() -> None:

    with op.batch_alter_table('clear_list_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_open', sqlite_where=sa.text("status != 'signed_off'"), postgresql_where=sa.text("status != 'signed_off'"))
        batch_op.drop_index('ix_entry_next_level', sqlite_where=sa.text("status = 'open' AND next_level_at IS NOT NULL"), postgresql_where=sa.text("status = 'open' AND next_level_at IS NOT NULL"))

    op.drop_table('clear_list_entry')
    op.drop_table('case_fact')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_ticket_id'))
        batch_op.drop_index('ix_alert_due', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.drop_table('alert')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_team_open', sqlite_where=sa.text("status IN ('open', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'in_progress')"))
        batch_op.drop_index('ix_ticket_open_due', sqlite_where=sa.text("status IN ('open', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'in_progress')"))
        batch_op.drop_index('ix_ticket_case_stage')
        batch_op.drop_index('ix_ticket_assignee_open', sqlite_where=sa.text("status IN ('open', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'in_progress')"))

    op.drop_table('ticket')
    with op.batch_alter_table('enterprise_case', schema=None) as batch_op:
        batch_op.drop_index('uq_case_project_credit_code')
        batch_op.drop_index(batch_op.f('ix_enterprise_case_team_id'))
        batch_op.drop_index('ix_case_project_stage')

    op.drop_table('enterprise_case')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_team_id'))

    op.drop_table('app_user')
    with op.batch_alter_table('workflow_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_version_name'))

    op.drop_table('workflow_version')
    op.drop_table('team')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_town'))

    op.drop_table('project')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_ticket')
        batch_op.drop_index('ix_audit_case')
        batch_op.drop_index('ix_audit_at')

    op.drop_table('audit_event')

