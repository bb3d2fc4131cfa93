"""email threads and near-duplicates: text fingerprints, thread places, near-duplicate groups, analysis runs

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_fingerprint",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("message", sa.Boolean(), nullable=False),
        sa.Column("segments", sa.Text(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_text_fingerprint_document_id_document"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_text_fingerprint")),
    )
    op.create_table(
        "email_thread",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("thread_group", sa.Integer(), nullable=False),
        sa.Column("thread_path", sa.String(length=512), nullable=False),
        sa.Column("thread_sort", sa.String(length=530), nullable=False),
        sa.Column("thread_indent", sa.Integer(), nullable=False),
        sa.Column("email_action", sa.String(length=16), nullable=False),
        sa.Column("inclusive", sa.Boolean(), nullable=True),
        sa.Column("inclusive_reason", sa.String(length=16), nullable=False),
        sa.Column("missing", sa.String(length=16), nullable=False),
        sa.Column("missing_label", sa.Text(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_email_thread_document_id_document"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_email_thread")),
    )
    op.create_index(op.f("ix_email_thread_thread_group"), "email_thread", ["thread_group"], unique=False)
    op.create_index(op.f("ix_email_thread_thread_sort"), "email_thread", ["thread_sort"], unique=False)
    op.create_table(
        "near_duplicate",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("near_dup_group", sa.Integer(), nullable=True),
        sa.Column("principal_id", sa.Integer(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_near_duplicate_document_id_document"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_near_duplicate")),
    )
    op.create_index(op.f("ix_near_duplicate_near_dup_group"), "near_duplicate", ["near_dup_group"], unique=False)
    op.create_table(
        "analysis_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("include_emails", sa.Boolean(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_run")),
    )


def downgrade() -> None:
    op.drop_table("analysis_run")
    op.drop_index(op.f("ix_near_duplicate_near_dup_group"), table_name="near_duplicate")
    op.drop_table("near_duplicate")
    op.drop_index(op.f("ix_email_thread_thread_sort"), table_name="email_thread")
    op.drop_index(op.f("ix_email_thread_thread_group"), table_name="email_thread")
    op.drop_table("email_thread")
    op.drop_table("text_fingerprint")
