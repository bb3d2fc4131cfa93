"""audit events about redactions, saved searches, attorneys and settings; long-job groups

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undoable", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject")
    with op.batch_alter_table("audit_group", schema=None) as batch_op:
        batch_op.drop_column("undoable")
