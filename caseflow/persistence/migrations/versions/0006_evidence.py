"""evidence files attached to work orders

Evidence is stored in the database, not a directory: a photo and the audit event of
its upload commit together, a backup of the database is a backup of the evidence,
and several ``serve`` processes on different machines behind one PostgreSQL all see
the same files without a shared disk. Bytes live once per SHA-256 in
``evidence_blob``; ``evidence`` says which order, who, when and what type.

Revision ID: 0006_evidence
Revises: 0005_user_lang
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_evidence"
down_revision = "0005_user_lang"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_blob",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["sha256"], ["evidence_blob.sha256"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "sha256", name="uq_evidence_ticket_file"),
    )
    op.create_index("ix_evidence_ticket_id", "evidence", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_ticket_id", "evidence")
    op.drop_table("evidence")
    op.drop_table("evidence_blob")
