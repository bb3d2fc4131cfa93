"""How the chronology's writes go on the audit trail: whole rows added or removed (issues, highlights,
facts, and the rows that link them), and columns of a row changed, each as an event undo can reverse."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import DeclarativeBase

from reviewer.core.audit import Action, Recording, bulk, row_snapshot


def added(change: Recording, action: Action, rows: Iterable[Any], subject: str = "", text: str = "",
          document: bool = False) -> None:
    """Record rows the action has added (flushed, so they have ids)."""
    change.row_events(action, [(row, subject, text) for row in rows], document=document)


def removed(change: Recording, action: Action, rows: list[Any], subject: str = "", text: str = "",
            document: bool = False) -> None:
    """Record rows of one table and remove them in one statement (so a tree of issues goes at once);
    list parents before children, so that undo puts them back in that order."""
    if not rows:
        return
    change.row_events(action, [(row, subject, text) for row in rows], document=document)
    model = type(rows[0])
    change.session.execute(bulk(delete(model).where(model.__table__.c.id.in_([row.id for row in rows]))))
    for row in rows:  # gone: a new row may take its id within this transaction
        if row in change.session:
            change.session.expunge(row)


def linked(change: Recording, rows: list[DeclarativeBase]) -> None:
    """Add link rows (a highlight's issues, a fact's issues, people and sources) and record each."""
    if rows:
        change.session.add_all(rows)
        change.session.flush()
        change.row_events(Action.LINK, [(row, row.__tablename__, "") for row in rows])


def unlinked(change: Recording, rows: list[DeclarativeBase]) -> None:
    """Record link rows and remove them (any mix of link tables)."""
    by_table: dict[type[DeclarativeBase], list[DeclarativeBase]] = {}
    for row in rows:
        by_table.setdefault(type(row), []).append(row)
    for table_rows in by_table.values():
        removed(change, Action.UNLINK, table_rows, subject=table_rows[0].__tablename__)


def edited(change: Recording, action: Action, row: Any, values: Mapping[str, Any], subject: str = "",
           document_id: int | None = None) -> bool:
    """Set columns of a row and record what they were and became (before and after, for the trail) with
    the whole row as it was (detail, which undo puts back: audit.ROW_CHANGED); False when nothing changed.
    One edit per row and action."""
    changed = {key: value for key, value in values.items() if getattr(row, key) != value}
    if not changed:
        return False
    before = {key: getattr(row, key) for key in changed}
    change.event(action, document_id=document_id, subject=subject, subject_id=row.id,
                 before=json.dumps(before, ensure_ascii=False), after=json.dumps(changed, ensure_ascii=False),
                 detail=row_snapshot(row))
    for key, value in changed.items():
        setattr(row, key, value)
    return True
