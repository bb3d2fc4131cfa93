"""Who is acting in a case, and whether they may: the one place the batch workflow and QC ask.

Today a case has no users of its own: whoever runs Reviewer acts under their login name (Case.user: a
shared case's PostgreSQL login), and every role is theirs. Users and roles (admin, reviewer, QC, enforced
by PostgreSQL grants on a shared case) will fill in `acting_user` and `require_role` without changing
their callers.
"""

from __future__ import annotations

from typing import Literal

from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError

# admin: makes batch sets, assigns and reopens batches, acts for others; reviewer: checks out and codes
# batches; qc: draws QC samples and confirms or overturns decisions. An admin holds every role.
Role = Literal["admin", "reviewer", "qc"]


class NotAllowedError(ReviewerError):
    """The acting user's role does not allow what they asked for."""


def acting_user(case: Case) -> str:
    """The name of the person acting in `case`: who checks batches out, and whose "my batches" are shown."""
    return case.user  # the OS user, or a shared case's PostgreSQL login


def require_role(case: Case, role: Role, doing: str) -> None:
    """Refuse with NotAllowedError ("Only an admin can assign batches.") unless the acting user holds
    `role`; `doing` says what was asked, as in that sentence. Everyone holds every role until a case has
    users and roles: this is where the roles piece looks the acting user's roles up."""
