"""Saved searches (a name for a query, re-run live each time) and the case's search history.

Saving, changing and deleting a saved search are reviewer actions on the audit trail (undoable); the search
history is itself a log and is only appended to.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, recording
from reviewer.core.case import Case, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import SavedSearch, SearchHistory
from reviewer.core.search.query import parse

MAX_NAME = 256


def find(case: Case, name: str) -> SavedSearch | None:
    """The saved search with this name, ignoring case."""
    with case.db.reader() as session:
        return _named(session, name)


def _named(session: Session, name: str) -> SavedSearch | None:
    return session.scalar(select(SavedSearch).where(func.lower(SavedSearch.name) == name.strip().lower()))


def saved_searches(case: Case) -> list[SavedSearch]:
    with case.db.reader() as session:
        return list(session.scalars(select(SavedSearch).order_by(func.lower(SavedSearch.name))).all())


def save(case: Case, name: str, query: str, replace: bool = False) -> SavedSearch:
    """Save a query under a name, or with `replace` give a saved search a new query (it keeps its name as
    first spelled); a reviewer action, undoable. The query must parse; saved:"…" inside it is checked
    when it runs."""
    name, query = name.strip(), query.strip()
    if not name or len(name) > MAX_NAME:
        raise ReviewerError(f"A saved search needs a name of 1 to {MAX_NAME} characters.")
    parse(query)
    with recording(case) as change:
        session = change.session
        existing = _named(session, name)
        if existing is None:
            record = SavedSearch(name=name, query=query, added=change.at, user=change.user)
            session.add(record)
            session.flush()
            change.row_events(Action.SAVE_SEARCH, [(record, name, query)])
            change.describe(f'saving the search "{name}"')
            return record
        if not replace:
            raise ReviewerError(f"There is already a saved search named '{existing.name}'; "
                                "choose another name or replace it.")
        if existing.query != query:
            change.event(Action.EDIT_SEARCH, subject=existing.name, before=existing.query, after=query,
                         subject_id=existing.id)
            change.describe(f'changing the saved search "{existing.name}"')
            existing.query = query
        return existing


def remove(case: Case, name: str) -> None:
    """Delete a saved search; a reviewer action, undoable."""
    with recording(case) as change:
        existing = _named(change.session, name)
        if existing is None:
            raise ReviewerError(f"There is no saved search named '{name}'.")
        change.row_events(Action.DELETE_SEARCH, [(existing, existing.name, existing.query)])
        change.session.delete(existing)
        change.describe(f'deleting the saved search "{existing.name}"')


def remember(case: Case, query: str, hits: int) -> None:
    with case.db.session() as session:
        session.add(SearchHistory(query=query, hits=hits, ran=now(), user=case.user))


def history(case: Case, limit: int = 50) -> list[SearchHistory]:
    """The most recent searches, newest first."""
    with case.db.reader() as session:
        newest = select(SearchHistory).order_by(SearchHistory.id.desc()).limit(limit)
        return list(session.scalars(newest).all())
