"""evidence text without length limits, 64-bit file sizes (the same schema on SQLite and PostgreSQL)

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-07 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None

# (table, column, type before, type after)
CHANGES = [
    ("document", "control", sa.String(64), sa.Text()),
    ("document", "custodian", sa.String(256), sa.Text()),
    ("document", "ext", sa.String(32), sa.Text()),
    ("document", "mime", sa.String(128), sa.Text()),
    ("document", "size", sa.Integer(), sa.BigInteger()),
    ("document_custodian", "custodian", sa.String(256), sa.Text()),
    ("ingest_batch", "custodian", sa.String(256), sa.Text()),
    ("ingest_entry", "custodian", sa.String(256), sa.Text()),
    ("ingest_entry", "size", sa.Integer(), sa.BigInteger()),
    ("imported_record", "beg_bates", sa.String(96), sa.Text()),
    ("imported_record", "end_bates", sa.String(96), sa.Text()),
    ("imported_record", "beg_attach", sa.String(96), sa.Text()),
    ("imported_record", "end_attach", sa.String(96), sa.Text()),
    ("page_bates", "bates", sa.String(96), sa.Text()),
]


def _alter(upgrade: bool) -> None:
    tables = dict.fromkeys(table for table, *_ in CHANGES)
    for table in tables:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, before, after in CHANGES:
                if name == table:
                    batch_op.alter_column(column, existing_type=before if upgrade else after,
                                          type_=after if upgrade else before, existing_nullable=False)


def upgrade() -> None:
    _alter(upgrade=True)


def downgrade() -> None:
    _alter(upgrade=False)
