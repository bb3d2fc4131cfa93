"""review date index: date:[A TO B] reads its range, not every document

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-07 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_document_review_date", "document", [sa.text("coalesce(sent, modified, created)")])


def downgrade() -> None:
    op.drop_index("ix_document_review_date", table_name="document")
