"""Alembic environment for a case database; always given a live connection by reviewer.core.migrate."""

from alembic import context

from reviewer.core.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through reviewer.core.migrate, which passes the case's connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
