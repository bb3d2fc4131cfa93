"""The database's own enforcement of roles on a shared case: a PostgreSQL group role per case role, and
grants that let each do only what its role may.

Every case database has three group roles (no login of their own): DB_admins, DB_reviewers and DB_qc.
A member's login is granted the group of their role (team/users.py), so a reviewer who connects with
their own login behind Reviewer's back — psql, a script — is refused by the server as well:

- every group may connect and read every table;
- admins may do anything, and own the tables (so any admin can upgrade the case to a new version);
- reviewers and QC may write the coding tables (tags on documents, notes, privilege, redactions, the
  audit trail, saved searches, batches they check out, prioritized review decisions and models) but not the
  documents, tags, productions, imports, batch sets or the users; only QC may write QC batches. They
  may update two columns of documents that their client fills in as it goes: `indexed` (keeping the
  shared index whole) and `email_reply_to` (building the case's people).

`apply` is idempotent: the case's maker runs it when the case is made or shared, an admin when adding a
user and after upgrading the schema (new tables get their grants then).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from reviewer.core.models import Base
from reviewer.core.team.access import ROLES, Role

# Tables only an admin writes: what ingest, import and production make, the tags, attorneys and analytics,
# the batch sets, the users. (The settings table stays open: a reviewer's client keeps bookkeeping there —
# the default tags' seeding, people still to build — while core refuses a reviewer's change of a setting.)
ADMIN_TABLES = frozenset({
    "ingest_batch", "document", "document_custodian", "ingest_entry", "tag", "production",
    "production_document", "attorney", "imported_record", "page_bates", "batch_set", "batch_set_tag",
    "batch_document", "text_fingerprint", "email_thread", "near_duplicate", "analysis_run",
    "review_question", "validation_round", "validation_document",
    "case_user", "alembic_version",
})
QC_TABLES = frozenset({"qc_batch", "qc_document"})
_GROUP_SUFFIX: dict[str, str] = {"admin": "admins", "reviewer": "reviewers", "qc": "qc"}
_NAME_LIMIT = 63  # PostgreSQL's identifier length


def group_role(database: str, role: Role) -> str:
    """The group role of `role` in the case database `database` ("matter_reviewers")."""
    suffix = "_" + _GROUP_SUFFIX[role]
    return database[: _NAME_LIMIT - len(suffix)] + suffix


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def writable_by(role: Role) -> list[str]:
    """The case tables `role` may insert into, update and delete from."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    if role == "admin":
        return tables
    barred = ADMIN_TABLES | (QC_TABLES if role == "reviewer" else frozenset())
    return [name for name in tables if name not in barred]


def apply(connection: Connection) -> None:
    """Make the case database's group roles (when missing) and give each exactly its grants; the login
    running this becomes a member of the admins group and hands it the tables it owns."""
    database = str(connection.scalar(text("SELECT current_database()")))
    me = quoted(str(connection.scalar(text("SELECT current_user"))))
    groups = {role: quoted(group_role(database, role)) for role in ROLES}
    for role in ROLES:
        name = group_role(database, role)
        if not connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}):
            connection.execute(text(f"CREATE ROLE {quoted(name)} NOLOGIN"))
    if not connection.scalar(text("SELECT rolsuper OR pg_has_role(current_user, :g, 'MEMBER') FROM pg_roles "
                                  "WHERE rolname = current_user"), {"g": group_role(database, "admin")}):
        connection.execute(text(f"GRANT {groups['admin']} TO {me}"))
    everyone = ", ".join(groups.values())
    connection.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {quoted(database)} TO {everyone}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {everyone}"))
    connection.execute(text(f"GRANT CREATE ON SCHEMA public TO {groups['admin']}"))
    for (table,) in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")):
        connection.execute(text(f"ALTER TABLE {quoted(table)} OWNER TO {groups['admin']}"))
    connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {everyone}"))
    connection.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {groups['admin']}"))
    connection.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {groups['admin']}"))
    existing = {name for (name,) in connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))}
    # What a reviewer's client fills in on documents as it goes: the index flag, and the reply-to address
    # the people of the case are built from (on a case that has that column).
    columns = list(connection.scalars(text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = 'document' AND column_name IN ('indexed', 'email_reply_to') ORDER BY column_name")))
    for role in ("reviewer", "qc"):
        writable = set(writable_by(role)) & existing
        for table in sorted(existing):
            verb = "GRANT" if table in writable else "REVOKE"
            to = "TO" if table in writable else "FROM"
            connection.execute(text(f"{verb} INSERT, UPDATE, DELETE ON {quoted(table)} {to} {groups[role]}"))
        if columns:
            connection.execute(text(f"GRANT UPDATE ({', '.join(columns)}) ON document TO {groups[role]}"))
