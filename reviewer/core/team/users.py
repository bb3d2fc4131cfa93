"""The members of a shared case and their roles: `reviewer users`, `user-add`, `user-remove`.

A member is a PostgreSQL login: adding one creates the login when the server has none of that name (with
the password given, or none: then the server's own authentication — a certificate, the machine's trust —
lets them in), makes it a member of the group role of its role (team/grants.py), and records it in the
case; removing one takes the group away and the case's record, leaving the login (it may be a member of
other cases). Only an admin does either, and the last admin cannot be removed or demoted. Each change is
on the case's trail like any other action.

A case folder has no members: whoever opens it is its admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from reviewer.core import audit
from reviewer.core.case import Case, now
from reviewer.core.db import first_line
from reviewer.core.errors import CaseError
from reviewer.core.models import CaseUser
from reviewer.core.team import grants
from reviewer.core.team.access import ROLES, NotAllowedError, Role, require_role


@dataclass(frozen=True)
class UserInfo:
    login: str
    role: str
    assigned_only: bool
    added: datetime | None
    added_by: str


def users(case: Case) -> list[UserInfo]:
    """The case's members by login; a case folder's one user, its admin."""
    if not case.shared:
        return [UserInfo(case.user, "admin", False, None, "")]
    with case.db.reader() as session:
        return [UserInfo(u.login, u.role, u.assigned_only, u.added, u.added_by)
                for u in session.scalars(select(CaseUser).order_by(CaseUser.login))]


def add_user(case: Case, login: str, role: str, assigned_only: bool = False,
             password: str | None = None) -> UserInfo:
    """Make `login` a member with `role` (or change the role of a member); create the PostgreSQL login
    when missing."""
    _check_shared(case)
    require_role(case, "admin", "add users or change their roles")
    login = login.strip()
    if not login:
        raise CaseError("Give the login of the user to add.")
    if role not in ROLES:
        raise CaseError(f"{role} is not a role; give one of {', '.join(ROLES)}.")
    with audit.recording(case, undoable=False) as change:
        session = change.session
        member = session.scalar(select(CaseUser).where(CaseUser.login == login))
        before = _describe(member) if member else ""
        if member is not None and member.role == "admin" and role != "admin":
            _refuse_last_admin(session, login)
        _grant_login(session.connection(), login, role, password)
        if member is None:
            member = CaseUser(login=login, role=role, assigned_only=assigned_only, added=now(),
                              added_by=case.user)
            session.add(member)
        else:
            member.role, member.assigned_only = role, assigned_only
        session.flush()
        after = _describe(member)
        if after != before:
            change.event(audit.Action.ADD_USER, before=before, after=after, subject=login)
            change.describe(f"{login}: {after}" if not before else f"{login}: {before} → {after}")
        return UserInfo(member.login, member.role, member.assigned_only, member.added, member.added_by)


def remove_user(case: Case, login: str) -> None:
    """Take `login` out of the case (the PostgreSQL login stays: it may belong to other cases)."""
    _check_shared(case)
    require_role(case, "admin", "remove users")
    with audit.recording(case, undoable=False) as change:
        session = change.session
        member = session.scalar(select(CaseUser).where(CaseUser.login == login))
        if member is None:
            raise CaseError(f"{login} is not a member of this case; `reviewer users CASE` lists them.")
        if member.role == "admin":
            _refuse_last_admin(session, login)
        before = _describe(member)
        database = str(session.scalar(text("SELECT current_database()")))
        for role in ROLES:
            _execute(session.connection(), f"REVOKE {grants.quoted(grants.group_role(database, role))} "
                     f"FROM {grants.quoted(login)}", login)
        session.execute(delete(CaseUser).where(CaseUser.id == member.id))
        change.event(audit.Action.REMOVE_USER, before=before, subject=login)
        change.describe(f"removing {login}")


def add_first_admin(connection: Connection) -> None:
    """Make the login on `connection` the admin of a case it has just made or shared, with the grants."""
    grants.apply(connection)
    login = str(connection.scalar(text("SELECT current_user")))
    if connection.scalar(select(CaseUser.id).where(CaseUser.login == login)) is None:
        connection.execute(insert(CaseUser).values(
            login=login, role="admin", assigned_only=False, added=now(), added_by=login))


def _describe(member: CaseUser) -> str:
    return member.role + (" (assigned batches only)" if member.assigned_only else "")


def _check_shared(case: Case) -> None:
    if not case.shared:
        raise CaseError(f"{case.label} is a case folder, used by one person; users and roles belong to a "
                        "shared case (share it with a team first: reviewer share).")


def _refuse_last_admin(session: Session, login: str) -> None:
    admins = session.scalar(select(func.count()).select_from(CaseUser).where(CaseUser.role == "admin"))
    if (admins or 0) <= 1:
        raise NotAllowedError(f"{login} is the case's only admin; make another user admin first.")


def _grant_login(connection: Connection, login: str, role: Role, password: str | None) -> None:
    """Create the login when the server has none, and make its group memberships exactly `role`'s."""
    name = grants.quoted(login)
    exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login})
    if not exists:
        # An admin may add users in turn; anyone else needs nothing beyond logging in.
        extra = " CREATEROLE" if role == "admin" else ""
        _execute(connection, f"CREATE ROLE {name} LOGIN{extra}", login)
    elif role == "admin":
        _execute(connection, f"ALTER ROLE {name} CREATEROLE", login)
    if password is not None:
        # The password goes to the server only: PostgreSQL keeps its SCRAM hash, Reviewer keeps nothing.
        literal = "'" + password.replace("'", "''") + "'"
        _execute(connection, f"ALTER ROLE {name} PASSWORD {literal}", login)
    grants.apply(connection)
    database = str(connection.scalar(text("SELECT current_database()")))
    for other in ROLES:
        group = grants.quoted(grants.group_role(database, other))
        verb = "GRANT" if other == role else "REVOKE"
        _execute(connection, f"{verb} {group} {'TO' if other == role else 'FROM'} {name}", login)


def _execute(connection: Connection, statement: str, login: str) -> None:
    try:
        connection.exec_driver_sql(statement)
    except DBAPIError as error:
        raise CaseError(f"The server would not set up the login {login} ({first_line(error)}); an admin's "
                        "login needs the right to create roles (CREATEROLE) — ask whoever runs the server.") \
            from None
