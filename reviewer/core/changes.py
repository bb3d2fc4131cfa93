"""What other reviewers changed since a version: how every window and command of a shared case keeps up.

The audit sequence is the case's change log (every change a user can see is recorded with its events by
the one write path, in commit order; see reviewer.core.conflicts). A client remembers the version it last
showed and asks `since(version)` every second or so: one indexed read that is empty almost always, on
SQLite and PostgreSQL alike, with no server-side machinery to set up or lose on a reconnect.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from reviewer.core.case import Case
from reviewer.core.conflicts import version
from reviewer.core.models import AuditEvent

# More changed documents than this (an ingest batch, a tag deleted) and a client reloads everything.
MANY = 5_000


@dataclass(frozen=True)
class Changes:
    version: int  # the newest change: what to ask from next time
    documents: frozenset[int]  # documents whose coding, notes or redactions changed
    users: tuple[str, ...]  # who changed something, in name order
    everything: bool  # tags, settings, searches or many documents changed: reload all that is shown

    @property
    def any(self) -> bool:
        return bool(self.documents or self.everything)


def since(case: Case, seen: int) -> Changes:
    """Everything committed after version `seen`."""
    with case.db.reader() as session:
        newest = version(session)
        if newest <= seen:
            return Changes(newest, frozenset(), (), False)
        later = AuditEvent.id > seen, AuditEvent.id <= newest
        documents = {doc_id for doc_id in session.scalars(
            select(AuditEvent.document_id).where(*later, AuditEvent.document_id.is_not(None)).distinct()
            .limit(MANY + 1)
        ) if doc_id is not None}
        users = tuple(sorted(session.scalars(select(AuditEvent.user).where(*later).distinct())))
        beyond = session.scalar(select(AuditEvent.id).where(*later, AuditEvent.document_id.is_(None))
                                .limit(1)) is not None
    many = len(documents) > MANY
    return Changes(newest, frozenset() if many else frozenset(documents), users, beyond or many)
