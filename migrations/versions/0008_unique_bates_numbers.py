"""unique bates numbers: a production's first number per prefix, a produced document's beginning Bates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:50:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("production", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_production_prefix"), ["prefix", "first_number"])
    with op.batch_alter_table("production_document", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_production_document_beg_bates"), ["beg_bates"])


def downgrade() -> None:
    with op.batch_alter_table("production_document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_production_document_beg_bates"), type_="unique")
    with op.batch_alter_table("production", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_production_prefix"), type_="unique")
