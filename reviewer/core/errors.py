"""Errors a user can meet, each shown as one clear sentence (never a traceback)."""

from typing import Any


class ReviewerError(Exception):
    """Base class for every error the user can cause or fix."""


class CaseError(ReviewerError):
    """The case folder is missing, not a case, or in use."""


class CaseLockedError(CaseError):
    """Another Reviewer process is writing to this case."""


class CaseBusyError(CaseError):
    """Another process held the case database's write lock for longer than a write waits."""


class CancelledError(ReviewerError):
    """Long work stopped because the user asked it to."""


class ServerUnreachableError(CaseError):
    """A shared case's database server cannot be reached, refused the login, or went away."""


class ConflictError(ReviewerError):
    """Another reviewer changed what an action would change after the reviewer loaded it; nothing was
    written (reviewer.core.conflicts). `conflicts` names each other change: who, when, what value."""

    def __init__(self, message: str, conflicts: list[Any]) -> None:
        super().__init__(message)
        self.conflicts = conflicts
