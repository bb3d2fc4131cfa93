"""Saved searches (a name for a query, re-run live each time) and the case's search history."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from reviewer.core.case import Case, current_user, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import SavedSearch, SearchHistory
from reviewer.core.search.query import parse

MAX_NAME = 256


def find(case: Case, name: str) -> SavedSearch | None:
    """The saved search with this name, ignoring case."""
    with case.db.reader() as session:
        return session.scalar(select(SavedSearch).where(func.lower(SavedSearch.name) == name.strip().lower()))


def saved_searches(case: Case) -> list[SavedSearch]:
    with case.db.reader() as session:
        return list(session.scalars(select(SavedSearch).order_by(func.lower(SavedSearch.name))).all())


def save(case: Case, name: str, query: str, replace: bool = False) -> SavedSearch:
    """Save a query under a name. The query must parse; saved:"…" inside it is checked when it runs."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ReviewerError(f"A saved search needs a name of 1 to {MAX_NAME} characters.")
    parse(query)
    existing = find(case, name)
    if existing is not None and not replace:
        raise ReviewerError(f"There is already a saved search named '{existing.name}'; "
                            "choose another name or replace it.")
    with case.db.session() as session:
        if existing is not None:
            session.execute(delete(SavedSearch).where(SavedSearch.id == existing.id))
            session.flush()
        record = SavedSearch(name=name, query=query.strip(), added=now(), user=current_user())
        session.add(record)
    return record


def remove(case: Case, name: str) -> None:
    existing = find(case, name)
    if existing is None:
        raise ReviewerError(f"There is no saved search named '{name}'.")
    with case.db.session() as session:
        session.execute(delete(SavedSearch).where(SavedSearch.id == existing.id))


def remember(case: Case, query: str, hits: int) -> None:
    with case.db.session() as session:
        session.add(SearchHistory(query=query, hits=hits, ran=now(), user=current_user()))


def history(case: Case, limit: int = 50) -> list[SearchHistory]:
    """The most recent searches, newest first."""
    with case.db.reader() as session:
        newest = select(SearchHistory).order_by(SearchHistory.id.desc()).limit(limit)
        return list(session.scalars(newest).all())
