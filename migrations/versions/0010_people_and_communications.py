"""people and communications: domains, people, their addresses and names, who is on each document, and
the communications kept ready per month and per pair; the Reply-To of an email

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null on the documents already in the case: building people reads their Reply-To from the originals.
    op.add_column("document", sa.Column("email_reply_to", sa.Text(), nullable=True))
    op.create_table(
        "email_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_domain")),
        sa.UniqueConstraint("domain", name=op.f("uq_email_domain_domain")),
    )
    op.create_table(
        "domain_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["email_domain.id"],
                                name=op.f("fk_domain_flag_domain_id_email_domain"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_flag")),
        sa.UniqueConstraint("domain_id", "flag", name=op.f("uq_domain_flag_domain_id")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("named_by_hand", sa.Boolean(), nullable=False),
        sa.Column("grouped_by_hand", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("added", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["email_domain.id"], name=op.f("fk_person_domain_id_email_domain")),
        sa.ForeignKeyConstraint(["merged_into"], ["person.id"], name=op.f("fk_person_merged_into_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_index(op.f("ix_person_merged_into"), "person", ["merged_into"], unique=False)
    op.create_index(op.f("ix_person_name_key"), "person", ["name_key"], unique=False)
    op.create_table(
        "person_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_person_flag_person_id_person"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_flag")),
        sa.UniqueConstraint("person_id", "flag", name=op.f("uq_person_flag_person_id")),
    )
    op.create_table(
        "person_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["domain_id"], ["email_domain.id"],
                                name=op.f("fk_person_identity_domain_id_email_domain")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_person_identity_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identity")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_person_identity_kind")),
    )
    op.create_index(op.f("ix_person_identity_domain_id"), "person_identity", ["domain_id"], unique=False)
    op.create_index(op.f("ix_person_identity_person_id"), "person_identity", ["person_id"], unique=False)
    op.create_table(
        "person_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("display", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["identity_id"], ["person_identity.id"],
                                name=op.f("fk_person_alias_identity_id_person_identity"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_alias")),
        sa.UniqueConstraint("identity_id", "display", name=op.f("uq_person_alias_identity_id")),
    )
    op.create_index("ix_person_alias_key", "person_alias", ["key"], unique=False)
    op.create_table(
        "message_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("display", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_message_party_document_id_document"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["identity_id"], ["person_identity.id"],
                                name=op.f("fk_message_party_identity_id_person_identity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_party")),
        sa.UniqueConstraint("document_id", "role", "identity_id", name=op.f("uq_message_party_document_id")),
    )
    op.create_index("ix_message_party_identity", "message_party", ["identity_id"], unique=False)
    op.create_table(
        "people_source",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("sent", sa.DateTime(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_people_source_document_id_document"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_people_source")),
    )
    op.create_table(
        "communication_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("first_sent", sa.DateTime(), nullable=True),
        sa.Column("last_sent", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_month")),
    )
    op.create_index("ix_communication_month_pair", "communication_month", ["level", "from_id", "to_id"],
                    unique=False)
    op.create_index("ix_communication_month_to", "communication_month", ["level", "to_id"], unique=False)
    op.create_table(
        "communication_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("first_sent", sa.DateTime(), nullable=True),
        sa.Column("last_sent", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_pair")),
    )
    op.create_index("ix_communication_pair_pair", "communication_pair", ["level", "from_id", "to_id"],
                    unique=False)
    op.create_index("ix_communication_pair_to", "communication_pair", ["level", "to_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_communication_pair_to", table_name="communication_pair")
    op.drop_index("ix_communication_pair_pair", table_name="communication_pair")
    op.drop_table("communication_pair")
    op.drop_index("ix_communication_month_to", table_name="communication_month")
    op.drop_index("ix_communication_month_pair", table_name="communication_month")
    op.drop_table("communication_month")
    op.drop_table("people_source")
    op.drop_index("ix_message_party_identity", table_name="message_party")
    op.drop_table("message_party")
    op.drop_index("ix_person_alias_key", table_name="person_alias")
    op.drop_table("person_alias")
    op.drop_index(op.f("ix_person_identity_person_id"), table_name="person_identity")
    op.drop_index(op.f("ix_person_identity_domain_id"), table_name="person_identity")
    op.drop_table("person_identity")
    op.drop_table("person_flag")
    op.drop_index(op.f("ix_person_name_key"), table_name="person")
    op.drop_index(op.f("ix_person_merged_into"), table_name="person")
    op.drop_table("person")
    op.drop_table("domain_flag")
    op.drop_table("email_domain")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("email_reply_to")
