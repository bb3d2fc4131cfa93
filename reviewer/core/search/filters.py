"""Structured filters answered from the case database: dates, pages, custodians, types, tags, notes,
duplicates, families, control numbers, highlights and issues. Never through the text index, so they are
exact, always current (a tag added a second ago counts) and cheap.

A name that does not exist in the case (a tag, a custodian, a control number) is an error naming it,
not an empty result: a typo must not pass for "no documents".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fnmatch import fnmatchcase
from typing import cast

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from reviewer.core.analytics import filters as analytics_filters
from reviewer.core.analytics.scores import score_filter
from reviewer.core.casebuild import people_query, search_fields
from reviewer.core.db import selected_ids
from reviewer.core.importing.bates_lookup import documents_in_range
from reviewer.core.models import REVIEW_DATE, Document, DocumentCustodian, DocumentTag, IngestEntry, Note, Tag
from reviewer.core.search.query import (
    DateRange,
    Filter,
    LabelRange,
    Match,
    MatchPair,
    NumberRange,
    QuerySyntaxError,
    ScoreComparison,
)
from reviewer.core.sql import matches_wildcard
from reviewer.core.team import search_fields as team_fields

# `type:email` is what a reviewer types; the ingest records the precise kind.
TYPE_GROUPS: dict[str, tuple[str, ...]] = {"email": ("eml", "emlx", "msg")}


def all_ids(session: Session) -> set[int]:
    return set(selected_ids(session, select(Document.id)))


def filter_ids(session: Session, node: Filter) -> set[int]:
    return set(selected_ids(session, _select(session, node)))


def _select(session: Session, node: Filter) -> Select[int]:
    if isinstance(node, DateRange):
        column = _date_column(node.field)
        conditions: list[ColumnElement[bool]] = [column.is_not(None)]
        if node.start is not None:
            conditions.append(column >= node.start)
        if node.end is not None:
            conditions.append(column < node.end)
        return select(Document.id).where(*conditions)
    if isinstance(node, NumberRange) and node.field == "similarity":
        return analytics_filters.similarity(node)
    if isinstance(node, NumberRange):
        conditions = [Document.pages.is_not(None)]
        if node.low is not None:
            conditions.append(Document.pages >= node.low)
        if node.high is not None:
            conditions.append(Document.pages <= node.high)
        return select(Document.id).where(*conditions)
    if isinstance(node, LabelRange):
        return documents_in_range(node.low, node.high)
    if isinstance(node, MatchPair):  # between:("A", "B")
        return people_query.between_documents(session, node)
    if isinstance(node, ScoreComparison):
        return score_filter(session, node)
    return _match(session, node)


def _date_column(name: str) -> SQLColumnExpression[datetime | None]:
    if name == "date":  # the date a reviewer sorts by: sent for email, else modified, else created
        return REVIEW_DATE
    return {"sent": Document.sent, "created": Document.created, "modified": Document.modified}[name]


def _match(session: Session, node: Match) -> Select[int]:
    name, value = node.field, node.value
    if name == "custodian":
        known = session.scalars(select(DocumentCustodian.custodian).distinct()).all()
        chosen = _names(known, node, "custodian")
        return select(DocumentCustodian.document_id).where(DocumentCustodian.custodian.in_(chosen))
    if name == "tag":
        if value.lower() == "any" and not node.quoted:
            return select(DocumentTag.document_id).distinct()
        chosen = _names(session.scalars(select(Tag.name)).all(), node, "tag")
        return select(DocumentTag.document_id).distinct().join(Tag, Tag.id == DocumentTag.tag_id).where(
            Tag.name.in_(chosen))
    if name == "ext":
        known = session.scalars(select(Document.ext).distinct()).all()
        return select(Document.id).where(Document.ext.in_(_names(known, node, None)))
    if name == "type":
        kinds = TYPE_GROUPS.get(value.lower())
        if kinds is None:
            kinds = tuple(_names(session.scalars(select(Document.kind).distinct()).all(), node, None))
        return select(Document.id).where(Document.kind.in_(kinds))
    if name == "control":
        if _is_pattern(value):
            return select(Document.id).where(matches_wildcard(Document.control, value.upper()))
        return select(Document.id).where(Document.control == _existing_control(session, node))
    if name == "bates":
        pages = documents_in_range(value)
        if session.scalar(pages.limit(1)) is None:
            raise QuerySyntaxError(f"No page stamped {value.upper()} in this case", node.column)
        return pages
    if name == "person":
        return people_query.person_documents(session, node)
    if name == "domain":
        return people_query.domain_documents(session, node)
    if name == "family":
        control = _existing_control(session, node)
        root = func.coalesce(Document.family_id, Document.id)
        family = select(root).where(Document.control == control).scalar_subquery()
        return select(Document.id).where(root == family)
    if name == "issue":
        return search_fields.issue_documents(session, node)
    if name == "thread":
        return analytics_filters.thread(_existing_control(session, node))
    if name == "near":
        return analytics_filters.near(_existing_control(session, node))
    if name == "has":
        if value == "highlights":
            return search_fields.highlighted_documents()
        if value == "notes":
            return select(Note.document_id).distinct()
        if value == "tags":
            return select(DocumentTag.document_id).distinct()
        return cast("Select[int]", select(Document.parent_id).distinct()  # the nulls are filtered out
                    .where(Document.parent_id.is_not(None)))
    if name == "is":
        if value == "inclusive":
            return analytics_filters.inclusive()
        if value == "principal":
            return analytics_filters.principal()
        if value == "duplicate":
            return cast("Select[int]", select(IngestEntry.document_id).distinct().where(  # nulls filtered out
                IngestEntry.status == "duplicate", IngestEntry.document_id.is_not(None)))
        return select(Document.id).where(Document.parent_id.is_not(None))
    if name == "batch":
        return team_fields.batch_documents(session, node)
    if name == "qc":
        return team_fields.qc_documents(session, node)
    raise TypeError(f"{name}: is resolved before filtering")  # saved: is expanded by the service


def _is_pattern(value: str) -> bool:
    return "*" in value or "?" in value


def _names(known: Sequence[str], node: Match, noun: str | None) -> list[str]:
    """The known names a value means: the same name ignoring case, or every name a wildcard matches.
    With a `noun`, a plain name that matches nothing is an error."""
    wanted = node.value.casefold()
    if _is_pattern(node.value):
        pattern = wanted.replace("[", "[[]")
        return [name for name in known if fnmatchcase(name.casefold(), pattern)]
    chosen = [name for name in known if name.casefold() == wanted]
    if not chosen and noun is not None:
        listing = ", ".join(sorted(known)[:12]) or "none yet"
        raise QuerySyntaxError(f"No {noun} named '{node.value}' in this case", node.column,
                               f"the {noun}s are: {listing}")
    return chosen


def _existing_control(session: Session, node: Match) -> str:
    control = node.value.strip().upper()
    if session.scalar(select(Document.id).where(Document.control == control)) is None:
        raise QuerySyntaxError(f"No document {control} in this case", node.column)
    return control
