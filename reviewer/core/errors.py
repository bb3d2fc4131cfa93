"""Errors a user can meet, each shown as one clear sentence (never a traceback)."""


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
