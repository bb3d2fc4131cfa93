"""Who is acting in a case, and whether they may: the one place core asks.

A case folder has one person, whoever opens it (the OS user): they are its admin and nothing is
restricted. A shared case has members (the case_user table, kept by team/users.py), each with a role:

- **admin**: ingest, import, produce, tags, attorneys, settings, batch sets, users; and everything else.
- **reviewer**: codes, notes, redacts and checks batches out — every document, or, when the admin says
  so (`assigned_only`), only the documents of the batches assigned to them, which are then all they see.
- **qc**: second-level review (draws QC batches, confirms and overturns decisions), and codes like a
  reviewer.

Core refuses what a role may not do in one sentence (NotAllowedError): each entry point that changes
the case asks `require_role` before it starts, and the one write path (audit.recording, record_job)
checks every action it records against the actor's role before it commits, so that nothing slips past
a forgotten check. The database refuses it as well, through the grants of team/grants.py, for anyone
who connects with their login behind Reviewer's back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reviewer.core.errors import ReviewerError
from reviewer.core.models import Batch, BatchDocument, CaseUser

if TYPE_CHECKING:  # the case builds on the grants, which build on this module
    from reviewer.core.case import Case

Role = Literal["admin", "reviewer", "qc"]
ROLES: tuple[Role, ...] = get_args(Role)
# What each role may do, besides its own name: an admin holds every role, QC codes like a reviewer.
_HOLDS: dict[str, frozenset[str]] = {
    "admin": frozenset(ROLES),
    "qc": frozenset({"qc", "reviewer"}),
    "reviewer": frozenset({"reviewer"}),
}
_NAMED = {"admin": "an admin", "reviewer": "a reviewer", "qc": "a QC reviewer"}


class NotAllowedError(ReviewerError):
    """The acting user's role does not allow what they asked for."""


@dataclass(frozen=True)
class Access:
    """What the acting user may do: their login, their role (None: not a member of the shared case) and
    whether they see only the documents of the batches assigned to them."""

    login: str
    role: Role | None
    assigned_only: bool = False

    def holds(self, role: Role) -> bool:
        return self.role is not None and role in _HOLDS[self.role]

    @property
    def restricted(self) -> bool:
        """Whether anything is withheld from them (everything is open to an admin)."""
        return self.role != "admin"


def acting_user(case: Case) -> str:
    """The name of the person acting in `case`: who checks batches out, and whose "my batches" are shown."""
    return case.user  # the OS user, or a shared case's PostgreSQL login


def access(case: Case) -> Access:
    """The acting user's access to `case` (a case folder's user is its admin)."""
    if not case.shared:
        return Access(case.user, "admin")
    with case.db.reader() as session:
        return access_in(session, case.user)


def access_in(session: Session, login: str) -> Access:
    """`login`'s access to the shared case `session` is on."""
    member = session.scalar(select(CaseUser).where(CaseUser.login == login))
    if member is None:
        return Access(login, None)
    return Access(login, cast(Role, member.role) if member.role in ROLES else None,
                  bool(member.assigned_only))


def require_role(case: Case, role: Role, doing: str) -> None:
    """Refuse with NotAllowedError ("Only an admin can assign batches; …") unless the acting user holds
    `role`; `doing` says what was asked, as in that sentence."""
    refuse_unless(access(case), role, doing)


def refuse_unless(who: Access, role: Role, doing: str) -> None:
    if who.holds(role):
        return
    if who.role is None:
        raise NotAllowedError(f"{who.login} is not a member of this shared case, so cannot {doing}; ask its "
                              f"admin to add them (reviewer user-add CASE {who.login} --role reviewer).")
    raise NotAllowedError(f"Only {_NAMED[role]} can {doing}; {who.login} is {_NAMED[who.role]} in this case "
                          "(ask its admin to change that with reviewer user-add).")


def assigned_documents(login: str) -> Select[int]:
    """The documents of the batches assigned to `login`, as a subquery."""
    return (select(BatchDocument.document_id).join(Batch, Batch.id == BatchDocument.batch_id)
            .where(Batch.assignee == login))


def visible_ids(case: Case) -> set[int] | None:
    """The documents the acting user may see, when they are restricted to their assigned batches; None
    when they see the whole case."""
    who = access(case)
    if not who.assigned_only or who.holds("admin"):
        return None
    with case.db.reader() as session:
        return set(session.scalars(assigned_documents(who.login)))


def refuse_unassigned(session: Session, who: Access, documents: Select[Any]) -> None:
    """Refuse an assigned-only reviewer's change to any of `documents` (a query of document ids) that is
    outside their batches."""
    if not who.assigned_only or who.holds("admin"):
        return
    ids = documents.subquery()
    theirs = (select(BatchDocument.id).join(Batch, Batch.id == BatchDocument.batch_id)
              .where(BatchDocument.document_id == ids.c[0], Batch.assignee == who.login))
    outside = session.scalar(select(func.count(func.distinct(ids.c[0]))).where(
        ids.c[0].is_not(None), ~theirs.exists()))
    if outside:
        raise NotAllowedError(
            f"{who.login} may code only the documents of the batches assigned to them, and "
            f"{'1 document' if outside == 1 else f'{outside:,} documents'} of this action "
            f"{'is' if outside == 1 else 'are'} in none of them; ask an admin to assign the batch first.")
