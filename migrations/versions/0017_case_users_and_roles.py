"""case users and their roles (admin, reviewer, qc) for a shared case

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 19:20:00

A shared case made before roles existed gets the login that upgrades it as its first admin (a case made
or shared afterwards gets the login that made or shared it, from reviewer.core.team.users). A fresh,
empty schema (`reviewer share` copying rows into it next) gets nobody here: its settings are still empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("assigned_only", sa.Boolean(), nullable=False),
        sa.Column("added", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_user")),
        sa.UniqueConstraint("login", name=op.f("uq_case_user_login")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO case_user (login, role, assigned_only, added, added_by) "
            "SELECT current_user, 'admin', false, timezone('UTC', now()), current_user "
            "WHERE EXISTS (SELECT 1 FROM setting)"
        )


def downgrade() -> None:
    op.drop_table("case_user")
