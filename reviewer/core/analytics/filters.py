"""The query language's analytics fields, answered from the analytics' tables: thread:DOC-000123,
near:DOC-000123, is:inclusive, is:principal, similarity>=95. Called from search/filters.py."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Select, select

from reviewer.core.models import Document, EmailThread, NearDuplicate
from reviewer.core.search.query import NumberRange


def thread(control: str) -> Select[int]:
    """Every document of that document's email thread (the document alone when it is in none)."""
    return _same_group(control, EmailThread.document_id, EmailThread.thread_group)


def near(control: str) -> Select[int]:
    """Every document of that document's near-duplicate group (the document alone when it is in none)."""
    return _same_group(control, NearDuplicate.document_id, NearDuplicate.near_dup_group)


def _same_group(control: str, member: Any, group: Any) -> Select[int]:
    chosen = select(Document.id).where(Document.control == control).scalar_subquery()
    its_group = select(group).where(member == chosen).scalar_subquery()
    return cast("Select[int]", select(member).where(group == its_group).union(select(chosen)))


def inclusive() -> Select[int]:
    return select(EmailThread.document_id).where(EmailThread.inclusive.is_(True))


def principal() -> Select[int]:
    return select(NearDuplicate.document_id).where(
        NearDuplicate.near_dup_group.is_not(None), NearDuplicate.principal_id == NearDuplicate.document_id
    )


def similarity(node: NumberRange) -> Select[int]:
    """Similarity in whole percents, as shown: similarity<=94 takes 94.6 %, similarity>=95 does not."""
    conditions: list[ColumnElement[bool]] = [NearDuplicate.near_dup_group.is_not(None)]
    if node.low is not None:
        conditions.append(NearDuplicate.similarity >= node.low)
    if node.high is not None:
        conditions.append(NearDuplicate.similarity < node.high + 1)
    return select(NearDuplicate.document_id).where(*conditions)
